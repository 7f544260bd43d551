//! Policies and catalogues are read from the database: what is published there, and has taken
//! effect, is what the server serves and checks by.

mod common;

use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use common::{Backend, TestServer};
use cunbao_domain::catalogue::Catalogue;
use cunbao_domain::policy::Policy;
use cunbao_server::published::{self, VersionKind};
use cunbao_server::state::InForce;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

async fn the_versions_in_force_come_from_the_database(backend: Backend) {
    let s = TestServer::start(backend).await;
    let db = &s.state.db;
    // A new database has the shipped versions published.
    let shipped = InForce::load(db, day(2026, 11, 30)).await.unwrap();
    assert_eq!(shipped.policy.version, Policy::sample_2025().version);
    assert_eq!(shipped.policy_versions(), [Policy::sample_2025().version]);
    assert!(shipped.policy("county-2026.1").is_none());

    // A catalogue and a policy published for later take effect on their day, not before.
    let mut catalogue: Catalogue = cunbao_domain::sample::catalogue();
    catalogue.version = "county-catalogue-2026.1".into();
    catalogue.items.truncate(10);
    let mut policy = Policy::sample_2025();
    policy.version = "county-2026.1".into();
    let effective = day(2026, 1, 1);
    for (kind, version, body) in [
        (
            VersionKind::Catalogue,
            &catalogue.version,
            serde_json::to_value(&catalogue).unwrap(),
        ),
        (
            VersionKind::Policy,
            &policy.version,
            serde_json::to_value(&policy).unwrap(),
        ),
    ] {
        assert!(published::publish(db, kind, version, effective, &body)
            .await
            .unwrap());
        // Published versions are immutable: publishing the same version again changes nothing.
        let other = serde_json::json!({ "tampered": true });
        assert!(!published::publish(db, kind, version, effective, &other)
            .await
            .unwrap());
    }
    let before = InForce::load(db, day(2025, 12, 31)).await.unwrap();
    assert_eq!(
        before.catalogue.version,
        cunbao_domain::sample::catalogue().version
    );
    assert_eq!(before.policy.version, Policy::sample_2025().version);
    assert!(
        before.policy("county-2026.1").is_some(),
        "named versions stay usable"
    );
    let on_the_day = InForce::load(db, effective).await.unwrap();
    assert_eq!(on_the_day.catalogue.version, "county-catalogue-2026.1");
    assert_eq!(on_the_day.catalogue.items.len(), 10);
    assert_eq!(on_the_day.policy.version, "county-2026.1");

    // A server started now serves what is in force today, over the API.
    let state = cunbao_server::AppState::load(db.clone(), Default::default())
        .await
        .unwrap();
    let s = TestServer { state, ..s };
    let (token, _) = s.sign_in("lijia").await;
    let (status, body) = s
        .call(Method::GET, "/api/v1/sync/handshake", Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["catalogue_version"], "county-catalogue-2026.1");
    assert_eq!(body["policy_version"], "county-2026.1");
    let (_, page) = s
        .call(
            Method::GET,
            "/api/v1/catalogue?offset=0&limit=100",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(page["total"], 10);
}

/// Back-payment (断保补缴) on the server: last year's cover ended on 31 December; enrolling
/// again within the policy's 3 months keeps cover continuous (no waiting period), a day later
/// it is a late enrolment that waits. Needs last year's policy, published like any other.
async fn a_lapse_of_three_months_is_back_paid_on_the_server(backend: Backend) {
    use cunbao_domain::id_number::compose;

    let s = TestServer::start(backend).await;
    let last_year = Policy::sample_for(2024);
    let body = serde_json::to_value(&last_year).unwrap();
    let (version, from) = (last_year.version.clone(), last_year.coverage_from);
    published::publish(&s.state.db, VersionKind::Policy, &version, from, &body)
        .await
        .unwrap();
    let enrol = |seq, record: &str, id, policy: &Policy, on| {
        common::enrolment_on(seq, record, id, &policy.version, policy.scheme_year, on)
    };
    let this_year = Policy::sample_2025();
    let (a, b) = (
        compose("110105", day(1980, 3, 4), 11),
        compose("110105", day(1981, 5, 6), 22),
    );
    let (token, _) = s.sign_in("lijia").await;
    let batch = [
        enrol(1, "a-2024", &a, &last_year, day(2023, 11, 2)),
        enrol(2, "b-2024", &b, &last_year, day(2023, 11, 2)),
        enrol(3, "a-2025", &a, &this_year, day(2025, 3, 31)),
        enrol(4, "b-2025", &b, &this_year, day(2025, 4, 1)),
    ];
    let (status, body) = s
        .call(
            Method::POST,
            "/api/v1/sync/push",
            Some(&token),
            Some(serde_json::json!({ "mutations": batch })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let db = s.state.db.clone();
    let coverage = |id: &'static str| {
        let db = db.clone();
        async move {
            let data: String = sqlx::query_scalar("SELECT data FROM records WHERE id = $1")
                .bind(id)
                .fetch_one(&db)
                .await
                .unwrap();
            serde_json::from_str::<serde_json::Value>(&data).unwrap()["coverage"].clone()
        }
    };
    let a_cover = coverage("a-2025").await;
    assert_eq!(a_cover["basis"], "continuous");
    assert_eq!(a_cover["benefits_from"], "2025-03-31");
    let b_cover = coverage("b-2025").await;
    assert_eq!(b_cover["basis"], "late");
    assert_eq!(b_cover["benefits_from"], "2025-07-01");
}

/// Renewal (续保) for next year: on the policy's renewal deadline it is on time; a day later it
/// is accepted and marked late for the township; a first enrolment on that day is not a renewal.
async fn a_renewal_after_the_deadline_is_accepted_and_marked_late(backend: Backend) {
    use cunbao_domain::id_number::compose;

    let s = TestServer::start(backend).await;
    let last_year = Policy::sample_for(2024);
    let body = serde_json::to_value(&last_year).unwrap();
    let (version, from) = (last_year.version.clone(), last_year.coverage_from);
    published::publish(&s.state.db, VersionKind::Policy, &version, from, &body)
        .await
        .unwrap();
    let this_year = Policy::sample_2025();
    let deadline = this_year.enrolment.renewal_deadline.unwrap();
    assert_eq!(deadline, day(2024, 11, 30));
    let enrol = |seq, record: &str, id, policy: &Policy, on| {
        common::enrolment_on(seq, record, id, &policy.version, policy.scheme_year, on)
    };
    let (a, b, c) = (
        compose("110105", day(1970, 1, 2), 31),
        compose("110105", day(1971, 2, 3), 42),
        compose("110105", day(1972, 3, 4), 53),
    );
    let (token, _) = s.sign_in("lijia").await;
    let batch = [
        enrol(1, "a-2024", &a, &last_year, day(2023, 11, 2)),
        enrol(2, "b-2024", &b, &last_year, day(2023, 11, 2)),
        enrol(3, "a-2025", &a, &this_year, deadline),
        enrol(4, "b-2025", &b, &this_year, deadline.succ_opt().unwrap()),
        enrol(5, "c-2025", &c, &this_year, deadline.succ_opt().unwrap()),
    ];
    let (status, body) = s
        .call(
            Method::POST,
            "/api/v1/sync/push",
            Some(&token),
            Some(serde_json::json!({ "mutations": batch })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for result in body["results"].as_array().unwrap() {
        assert_eq!(result["status"], "applied", "{result}");
    }
    let (township, _) = s.sign_in("shenhe").await;
    let (status, page) = s
        .call(
            Method::GET,
            "/api/v1/township/records?kind=enrolment",
            Some(&township),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let late = |id: &str| {
        let row = page
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("{id} listed: {page}"));
        row["data"]["late_renewal"].as_bool().unwrap_or(false)
    };
    assert!(!late("a-2025"), "on the deadline");
    assert!(late("b-2025"), "a day after the deadline");
    assert!(!late("c-2025"), "a first enrolment is not a renewal");
}

/// Two server processes on one database: what one publishes, the other serves from its next
/// request (each holds its own copy; the database tells it something changed).
async fn a_version_published_through_one_process_is_served_by_another(backend: Backend) {
    let s = TestServer::start(backend).await;
    let other = cunbao_server::AppState::load(s.state.db.clone(), Default::default())
        .await
        .unwrap();
    let (token, _) = s.sign_in("lijia").await;
    let handshake = |state: cunbao_server::AppState| {
        let token = token.clone();
        async move {
            common::request(&state, "GET", "/api/v1/sync/handshake", Some(&token), None)
                .await
                .1
        }
    };
    assert_eq!(
        handshake(other.clone()).await["catalogue_version"],
        "sample-2025.1"
    );
    let csv = format!(
        "{}\nX1,新药,drug,A,,盒,5.00,,,,,,,,,\n",
        cunbao_domain::catalogue_csv::HEADER
    );
    let plan =
        cunbao_server::publishing::plan_catalogue(&s.state.db, &csv, "v-other", day(2026, 1, 1))
            .await
            .unwrap();
    let by = cunbao_server::publishing::Publisher::console();
    cunbao_server::publishing::publish_catalogue(&s.state.db, &plan, &by)
        .await
        .unwrap();
    assert_eq!(handshake(other).await["catalogue_version"], "v-other");
}

on_both_databases!(
    a_version_published_through_one_process_is_served_by_another,
    the_versions_in_force_come_from_the_database,
    a_lapse_of_three_months_is_back_paid_on_the_server,
    a_renewal_after_the_deadline_is_accepted_and_marked_late,
    sample_residents_are_enrolled_for_the_year_under_way,
);

/// `./run.sh`'s sample residents: every clinic of the sample township gets households enrolled
/// for the scheme year under way and some visits settled, through the real push path, with
/// nothing refused; a second start adds nothing.
async fn sample_residents_are_enrolled_for_the_year_under_way(backend: Backend) {
    use chrono::Datelike;
    use cunbao_server::{sample_residents, seed};

    let s = TestServer::start(backend).await;
    let today = cunbao_server::clock::today();
    published::ensure_sample_years(&s.state.db, today)
        .await
        .unwrap();
    let applied = sample_residents::ensure(&s.state, &seed::LIANGJIANG, today, 20)
        .await
        .unwrap();
    assert!(applied > 3 * 20, "{applied}");
    let year = today.year();
    for clinic in ["clinic-lijia", "clinic-daping", "clinic-shimen"] {
        let enrolled = s
            .count(&format!(
                "SELECT COUNT(*) FROM records WHERE kind = 'enrolment' AND status = 'active' \
                 AND clinic_id = '{clinic}' AND scheme_year = {year}"
            ))
            .await;
        assert!(enrolled >= 20, "{clinic}: {enrolled}");
    }
    assert_eq!(
        s.count("SELECT COUNT(*) FROM mutations WHERE result LIKE '%\"status\":\"rejected\"%'")
            .await,
        0
    );
    // One head of household in ten is qualified for the chronic hypertension benefit.
    assert!(
        s.count(
            "SELECT COUNT(*) FROM records WHERE kind = 'qualification' AND status = 'approved'"
        )
        .await
            >= 3 * 2
    );
    if today.ordinal() > 45 {
        let settled = s
            .count("SELECT COUNT(*) FROM records WHERE kind = 'claim' AND status IN ('settled', 'flagged')")
            .await;
        assert!(settled >= 3, "{settled}");
    }
    // The clinic's tablets pull their own residents only.
    let (token, _) = s.sign_in("lijia").await;
    let (_, page) = s
        .call(
            Method::GET,
            "/api/v1/sync/pull?after=0&limit=5000",
            Some(&token),
            None,
        )
        .await;
    let changes = page["changes"].as_array().unwrap();
    assert!(changes.iter().any(|c| c["entity"] == "enrolment"));
    assert!(changes
        .iter()
        .filter(|c| c["entity"] == "enrolment")
        .all(|c| c["data"]["clinic_id"] == "clinic-lijia"));
    assert_eq!(
        sample_residents::ensure(&s.state, &seed::LIANGJIANG, today, 20)
            .await
            .unwrap(),
        0
    );
}
