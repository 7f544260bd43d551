//! The app's sync engine (its real code, over the in-memory store) against the real server
//! in-process, on SQLite and PostgreSQL, with the network failing in the ways it does in a
//! village: the connection drops mid-batch, the server dies after committing but before
//! answering, a reply is lost, a batch is sent twice, the server is restored from a backup.
//! Each test counts the records on both sides at the end.

// The server suites' harness (a server over a fresh SQLite file or PostgreSQL database).
#[path = "../../server/tests/common/mod.rs"]
mod common;

use std::cell::RefCell;
use std::collections::VecDeque;

use axum::http::Method;
use chrono::NaiveDate;
use common::{Backend, TestServer};
use cunbao_app::storage::memory::MemoryStore;
use cunbao_app::storage::{Store, StoreName};
use cunbao_app::sync::outbox::{self, EntryState};
use cunbao_app::sync::transport::{Api, HttpClient, TransportError, PUSH_PATH};
use cunbao_app::sync::{self, sync_once, SyncError};
use cunbao_domain::id_number::{compose, IdNumber};
use cunbao_domain::names::PersonName;
use cunbao_domain::policy::Policy;
use cunbao_domain::sample;
use cunbao_domain::sync::{MutationBody, SignInRequest};
use cunbao_server::{seed, AppState};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// The connection drops while the request is on its way: the server gets half a body.
    DropMidRequest,
    /// The server commits, then dies (or the reply is lost) before the tablet hears back.
    LoseReply,
    /// Answered as by a server from before `pull_after` (the query is not heard): no page of
    /// changes comes back with the push, and the next pull's connection drops.
    NoPageThenPullDrops,
}

/// The real server, reached in-process; faults apply to the next pushes. Every request is
/// noted (`GET /api/v1/…`), without its query.
struct InProcess {
    state: RefCell<AppState>,
    faults: RefCell<VecDeque<Fault>>,
    sent: RefCell<Vec<String>>,
    /// The next pull's connection drops ([`Fault::NoPageThenPullDrops`]).
    pull_drops: std::cell::Cell<bool>,
}

fn in_process(state: AppState) -> Api<InProcess> {
    Api(InProcess {
        state: RefCell::new(state),
        faults: RefCell::default(),
        sent: RefCell::default(),
        pull_drops: std::cell::Cell::new(false),
    })
}

impl HttpClient for InProcess {
    async fn send(
        &self,
        method: &'static str,
        path: &str,
        token: Option<&str>,
        body: Option<String>,
    ) -> Result<(u16, Value), TransportError> {
        let address = path.split('?').next().unwrap_or(path);
        self.sent.borrow_mut().push(format!("{method} {address}"));
        let fault = match path {
            _ if address == PUSH_PATH => self.faults.borrow_mut().pop_front(),
            _ => None,
        };
        let state = self.state.borrow().clone();
        if address.ends_with("/sync/pull") && self.pull_drops.replace(false) {
            return Err(TransportError::Unavailable("connection reset".into()));
        }
        match fault {
            Some(Fault::NoPageThenPullDrops) => {
                self.pull_drops.set(true);
                let (status, json) = common::request(&state, method, address, token, body).await;
                Ok((status.as_u16(), json))
            }
            Some(Fault::DropMidRequest) => {
                let half = body.map(|b| b[..b.len() / 2].to_string());
                let (status, _) = common::request(&state, method, path, token, half).await;
                assert!(
                    status.is_client_error(),
                    "half a batch must never be applied"
                );
                Err(TransportError::Unavailable("connection reset".into()))
            }
            Some(Fault::LoseReply) => {
                let (status, _) = common::request(&state, method, path, token, body).await;
                assert!(status.is_success());
                Err(TransportError::Unavailable(
                    "connection reset after commit".into(),
                ))
            }
            None => {
                let (status, json) = common::request(&state, method, path, token, body).await;
                Ok((status.as_u16(), json))
            }
        }
    }
}

struct Tablet {
    store: MemoryStore,
}

impl Tablet {
    async fn signed_in(transport: &Api<InProcess>, username: &str) -> Tablet {
        let store = MemoryStore::new();
        sync::sign_in(
            &store,
            transport,
            &SignInRequest {
                username: username.into(),
                password: seed::SAMPLE_PASSWORD.into(),
                device_name: format!("{username} 平板"),
                tablet_id: None,
                new_password: None,
            },
        )
        .await
        .unwrap();
        Tablet { store }
    }

    async fn enrol(&self, record: &str, id: &IdNumber) {
        let body = sample::head_enrolment(
            record,
            id.clone(),
            "覃海燕",
            "county-sample-2025.1",
            2025,
            NaiveDate::from_ymd_opt(2024, 10, 9).unwrap(),
        );
        outbox::enqueue(&self.store, record, body, 0).await.unwrap();
    }

    async fn states(&self) -> (usize, usize, usize) {
        let entries = outbox::entries(&self.store).await.unwrap();
        let count = |f: fn(&EntryState) -> bool| entries.iter().filter(|e| f(&e.state)).count();
        (
            count(|s| *s == EntryState::Pending),
            count(|s| matches!(s, EntryState::Applied { .. })),
            count(|s| matches!(s, EntryState::Rejected { .. })),
        )
    }
}

fn person(n: u16) -> IdNumber {
    compose("450325", NaiveDate::from_ymd_opt(1985, 4, 3).unwrap(), n)
}

async fn server_counts(s: &TestServer) -> (i64, i64) {
    (
        s.count("SELECT COUNT(*) FROM mutations").await,
        s.count("SELECT COUNT(*) FROM records").await,
    )
}

/// The last push is answered (without a page of changes, as by an older server) and the pull
/// after it fails: the answers are kept all the same (nothing is sent again), the round fails
/// to be retried, and the next one pulls what the first did not.
async fn answers_are_kept_when_the_pull_after_the_last_push_fails(backend: Backend) {
    let s = TestServer::start(backend).await;
    let net = in_process(s.state.clone());
    let tablet = Tablet::signed_in(&net, "lijia").await;
    for i in 0..3u16 {
        tablet.enrol(&format!("e{i}"), &person(i)).await;
    }
    net.0
        .faults
        .borrow_mut()
        .push_back(Fault::NoPageThenPullDrops);
    net.0.sent.borrow_mut().clear();
    let err = sync_once(&tablet.store, &net, 1).await.unwrap_err();
    assert!(err.is_retryable(), "{err}");
    let sent = net.0.sent.borrow().clone();
    assert_eq!(
        sent.iter().rev().take(2).collect::<Vec<_>>(),
        ["GET /api/v1/sync/pull", "POST /api/v1/sync/push"]
    );
    assert_eq!(tablet.states().await, (0, 3, 0));
    assert_eq!(
        sync::status(&tablet.store).await.unwrap().last_sync_ms,
        None
    );
    net.0.sent.borrow_mut().clear();
    let report = sync_once(&tablet.store, &net, 2).await.unwrap();
    assert_eq!(report.pushed, 0, "nothing is sent again");
    assert!(report.pulled >= 3, "{report:?}");
    assert_eq!(tablet.states().await, (0, 3, 0));
    assert_eq!(server_counts(&s).await, (3, 3));
}

async fn faults_never_lose_or_double_anything(backend: Backend) {
    let s = TestServer::start(backend).await;
    let net = in_process(s.state.clone());
    let tablet = Tablet::signed_in(&net, "lijia").await;
    for i in 0..1_200u16 {
        tablet.enrol(&format!("e{i}"), &person(i % 1000)).await;
    }
    // 1,200 mutations = three batches. The first push drops mid-request, the next commits but
    // its reply is lost; the tablet retries each time, as the scheduler would.
    net.0
        .faults
        .borrow_mut()
        .extend([Fault::DropMidRequest, Fault::LoseReply]);
    let mut attempts = 0;
    let report = loop {
        attempts += 1;
        match sync_once(&tablet.store, &net, 1).await {
            Ok(report) => break report,
            Err(e) => assert!(e.is_retryable(), "{e}"),
        }
    };
    assert_eq!(attempts, 3);
    assert!(report.pushed >= 700, "{report:?}");
    // 1,000 distinct people, 200 of them a second time: duplicates are rejected, not lost.
    assert_eq!(tablet.states().await, (0, 1_000, 200));
    assert_eq!(server_counts(&s).await, (1_200, 1_200));
    assert_eq!(
        s.count("SELECT COUNT(*) FROM records WHERE status = 'active'")
            .await,
        1_000
    );
    // Sending again changes nothing on either side.
    sync_once(&tablet.store, &net, 2).await.unwrap();
    assert_eq!(tablet.states().await, (0, 1_000, 200));
    assert_eq!(server_counts(&s).await, (1_200, 1_200));
    let status = sync::status(&tablet.store).await.unwrap();
    assert_eq!(
        (status.pending, status.failed.len(), status.last_sync_ms),
        (0, 200, Some(2))
    );
    let failed = &status.failed[0];
    let EntryState::Rejected { result } = &failed.state else {
        unreachable!()
    };
    assert_eq!(result.code.as_deref(), Some("duplicate_enrolment"));
    assert!(result
        .message_zh
        .as_deref()
        .unwrap()
        .contains("已在2025年度参保"));
}

async fn two_clinics_and_the_township_see_the_duplicate(backend: Backend) {
    let s = TestServer::start(backend).await;
    let net = in_process(s.state.clone());
    let a = Tablet::signed_in(&net, "lijia").await;
    let b = Tablet::signed_in(&net, "daping").await;
    let township = Tablet::signed_in(&net, "shenhe").await;
    a.enrol("a-1", &person(1)).await;
    b.enrol("b-1", &person(1)).await;
    // The desk keeps its own record of the enrolment it made.
    let own = serde_json::json!({
        "household_id": "hb", "member": { "id_number": person(1), "name": "韦秀英",
        "relationship": "head" }, "scheme_year": 2025, "enrolled_on": "2025-06-16",
        "policy_version": "county-sample-2025.1" });
    b.store
        .put(StoreName::Enrolments, "b-1", own)
        .await
        .unwrap();
    sync_once(&a.store, &net, 1).await.unwrap();
    sync_once(&b.store, &net, 2).await.unwrap();
    sync_once(&a.store, &net, 3).await.unwrap();
    assert_eq!(a.states().await, (0, 1, 0));
    assert_eq!(b.states().await, (0, 0, 1));
    for tablet in [&a, &b] {
        let notices = tablet.store.all(StoreName::Notices).await.unwrap();
        assert!(
            notices.iter().any(|(k, _)| k == "duplicate_enrolment:b-1"),
            "{notices:?}"
        );
    }
    // On B's tablet the person no longer counts as enrolled by B.
    let index = cunbao_app::desk::residents::ResidentIndex::load(&b.store)
        .await
        .unwrap();
    let mine = index.get("b-1").expect("kept");
    assert!(!mine.active());
    assert!(index.active_for(person(1).as_str(), 2025).is_none());
    let report = sync_once(&township.store, &net, 4).await.unwrap();
    assert_eq!(report.pulled, 3); // A's enrolment, and the duplicate notice for each clinic
    assert_eq!(
        township.store.count(StoreName::Enrolments).await.unwrap(),
        1
    );
    assert_eq!(server_counts(&s).await, (2, 2));
}

/// The server's year-to-date figures reach the tablet with the claim, and the desk adds only
/// the tablet's visits they do not include yet.
async fn the_year_to_date_figures_reach_the_tablet(backend: Backend) {
    use cunbao_app::desk::visit::accumulators;
    use cunbao_domain::quantity::Quantity;
    use cunbao_domain::settlement::{Accumulators, LineInput};

    let s = TestServer::start(backend).await;
    let net = in_process(s.state.clone());
    let tablet = Tablet::signed_in(&net, "lijia").await;
    tablet.enrol("e1", &person(1)).await;
    let catalogue = sample::catalogue();
    let lines: Vec<LineInput> = catalogue.items[..3]
        .iter()
        .map(|item| LineInput::from_item(item, Quantity::whole(3)))
        .collect();
    let body = sample::general_outpatient_claim(
        &Policy::sample_2025(),
        &catalogue.version,
        person(1),
        NaiveDate::from_ymd_opt(2025, 3, 2).unwrap(),
        lines,
        Accumulators::default(),
    );
    let MutationBody::Claim(claim) = &body else {
        unreachable!("a claim")
    };
    let after = claim.settlement.accumulators_after;
    outbox::enqueue(&tablet.store, "k1", body, 0).await.unwrap();
    net.0.sent.borrow_mut().clear();
    let report = sync_once(&tablet.store, &net, 1).await.unwrap();
    // The page of changes came back with the push's answer: no pull of its own (the first
    // round also fetches the policy and the catalogue).
    let sent = net.0.sent.borrow().clone();
    assert_eq!(
        sent.last().map(String::as_str),
        Some("POST /api/v1/sync/push")
    );
    assert!(
        !sent.contains(&"GET /api/v1/sync/pull".to_string()),
        "{sent:?}"
    );
    assert_eq!((report.pushed, report.applied, report.pulled), (2, 2, 2));
    let figures = accumulators(
        &tablet.store,
        &[],
        person(1).as_str(),
        2025,
        "general_outpatient",
    )
    .await
    .unwrap();
    assert_eq!(figures.figures, after);
    assert_eq!(figures.server_as_of, NaiveDate::from_ymd_opt(2025, 3, 2));
    assert_eq!(figures.local_claims, 0);
    // Nothing to send: the round pulls.
    net.0.sent.borrow_mut().clear();
    let report = sync_once(&tablet.store, &net, 2).await.unwrap();
    assert_eq!(
        *net.0.sent.borrow(),
        ["GET /api/v1/sync/handshake", "GET /api/v1/sync/pull"]
    );
    assert_eq!((report.pushed, report.pulled), (0, 0));
}

#[tokio::test]
async fn a_restored_server_gets_the_lost_work_again() {
    let s = TestServer::start(Backend::Sqlite).await;
    let net = in_process(s.state.clone());
    let tablet = Tablet::signed_in(&net, "lijia").await;
    tablet.enrol("e1", &person(1)).await;
    sync_once(&tablet.store, &net, 1).await.unwrap();
    let backup = s.url.replace("cunbao.sqlite3", "backup.sqlite3");
    let path = backup
        .trim_start_matches("sqlite://")
        .trim_end_matches("?mode=rwc")
        .to_string();
    sqlx::query(&format!("VACUUM INTO '{path}'"))
        .execute(&s.state.db)
        .await
        .unwrap();
    tablet.enrol("e2", &person(2)).await;
    tablet.enrol("e3", &person(3)).await;
    sync_once(&tablet.store, &net, 2).await.unwrap();
    assert_eq!(tablet.states().await, (0, 3, 0));

    // The server is restored from the backup taken after e1: e2 and e3 are gone there.
    let restored = cunbao_server::db::open(&backup).await.unwrap();
    *net.0.state.borrow_mut() = AppState::load(restored, Default::default()).await.unwrap();
    let report = sync_once(&tablet.store, &net, 3).await.unwrap();
    assert_eq!(report.resent, 2);
    assert_eq!(report.applied, 2);
    assert_eq!(tablet.states().await, (0, 3, 0));
    let db = net.0.state.borrow().db.clone();
    let records: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM records")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(records, 3);
}

#[tokio::test]
async fn device_setup_downloads_the_catalogue_and_policy_once_with_progress() {
    let s = TestServer::start(Backend::Sqlite).await;
    let big = cunbao_domain::synthetic::catalogue(5_000, 3);
    let net = in_process(s.state.clone().with_catalogue(big.clone()));
    let tablet = Tablet::signed_in(&net, "lijia").await;
    let mut seen = Vec::new();
    sync::sync_with_progress(&tablet.store, &net, 1, &mut |p| seen.push(p))
        .await
        .unwrap();
    use cunbao_app::sync::setup::Progress;
    assert_eq!(seen.first(), Some(&Progress::Policy));
    assert_eq!(
        seen.last(),
        Some(&Progress::Catalogue {
            done: 5_000,
            total: 5_000
        })
    );
    assert_eq!(seen.len(), 1 + 3, "three pages of 2,000");
    assert_eq!(
        tablet.store.count(StoreName::CatalogueItems).await.unwrap(),
        5_000
    );
    let status = sync::status(&tablet.store).await.unwrap();
    assert_eq!(status.catalogue, Some((big.version.clone(), 5_000)));
    let policy: Option<Policy> = tablet
        .store
        .get_as(StoreName::Policies, "county-sample-2025.1")
        .await
        .unwrap();
    assert_eq!(
        policy
            .unwrap()
            .enrolment
            .contribution_per_person
            .to_string(),
        "390.00"
    );
    // Nothing is downloaded again while the versions stay the same.
    let mut again = Vec::new();
    sync::sync_with_progress(&tablet.store, &net, 2, &mut |p| again.push(p))
        .await
        .unwrap();
    assert!(again.is_empty());
    // A new catalogue version replaces the old one completely.
    *net.0.state.borrow_mut() = s.state.clone();
    sync_once(&tablet.store, &net, 3).await.unwrap();
    let sample = cunbao_domain::sample::catalogue();
    assert_eq!(
        tablet.store.count(StoreName::CatalogueItems).await.unwrap() as usize,
        sample.items.len()
    );
}

/// With this and next year's sample policies published (as `./run.sh` does), a tablet holds
/// every published policy after its first sync and settles today's visits under this year's.
#[tokio::test]
async fn the_tablet_holds_every_published_policy_and_picks_todays() {
    use chrono::Datelike;
    use cunbao_app::desk::local;
    use cunbao_domain::policy::{for_enrolment, for_visit};

    let s = TestServer::start(Backend::Sqlite).await;
    let today = cunbao_server::clock::today();
    cunbao_server::published::ensure_sample_years(&s.state.db, today)
        .await
        .unwrap();
    let net = in_process(s.state.clone());
    let tablet = Tablet::signed_in(&net, "lijia").await;
    sync_once(&tablet.store, &net, 1).await.unwrap();
    let held: Vec<String> = local::policies(&tablet.store)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.version)
        .collect();
    let (this_year, next_year) = (
        format!("county-sample-{}.1", today.year()),
        format!("county-sample-{}.1", today.year() + 1),
    );
    assert_eq!(held, ["county-sample-2025.1", &this_year, &next_year]);
    let policies = local::policies(&tablet.store).await.unwrap();
    assert_eq!(for_visit(&policies, today).unwrap().version, this_year);
    let enrolling = &for_enrolment(&policies, today).unwrap().version;
    let collecting = today.month() >= 9;
    assert_eq!(enrolling, if collecting { &next_year } else { &this_year });
    // Nothing is downloaded again on the next round.
    let mut again = Vec::new();
    sync::sync_with_progress(&tablet.store, &net, 2, &mut |p| again.push(p))
        .await
        .unwrap();
    assert!(again.is_empty());
}

#[tokio::test]
async fn a_revoked_tablet_gets_nothing_more() {
    let s = TestServer::start(Backend::Sqlite).await;
    let net = in_process(s.state.clone());
    let tablet = Tablet::signed_in(&net, "lijia").await;
    let (admin, _) = s.sign_in("admin").await;
    let device = sync::session(&tablet.store)
        .await
        .unwrap()
        .unwrap()
        .device_id;
    s.call(
        Method::POST,
        &format!("/api/v1/devices/{device}/revoke"),
        Some(&admin),
        None,
    )
    .await;
    tablet.enrol("e1", &person(1)).await;
    let err = sync_once(&tablet.store, &net, 1).await.unwrap_err();
    assert!(
        matches!(&err, SyncError::Transport(TransportError::Unauthorized { code, .. }) if code == "device_revoked"),
        "{err}"
    );
    assert!(!err.is_retryable());
    assert_eq!(
        tablet.states().await,
        (1, 0, 0),
        "nothing is lost on the tablet"
    );
}

/// The server renews a day-old token at the handshake: the tablet keeps the new one at once
/// and uses it for the rest of the round (the old one is refused from then on), and the
/// server learns the work it held and its app version.
async fn a_renewed_token_is_kept_and_used(backend: Backend) {
    let s = TestServer::start(backend).await;
    let net = in_process(s.state.clone());
    let tablet = Tablet::signed_in(&net, "lijia").await;
    tablet.enrol("e1", &person(1)).await;
    tablet.enrol("e2", &person(2)).await;
    let before = sync::session(&tablet.store).await.unwrap().unwrap();
    sqlx::query("UPDATE devices SET token_issued_at = $1 WHERE id = $2")
        .bind((chrono::Utc::now() - chrono::Duration::days(2)).to_rfc3339())
        .bind(&before.device_id)
        .execute(&s.state.db)
        .await
        .unwrap();
    let report = sync_once(&tablet.store, &net, 1).await.unwrap();
    assert_eq!(report.applied, 2);
    let after = sync::session(&tablet.store).await.unwrap().unwrap();
    assert_ne!(after.token, before.token, "the renewed token is kept");
    assert_eq!(
        (&after.device_id, &after.user),
        (&before.device_id, &before.user)
    );
    let handshake = |token: String| {
        let s = &s;
        async move {
            let (status, body) = s
                .call(Method::GET, "/api/v1/sync/handshake", Some(&token), None)
                .await;
            (status.as_u16(), body["code"].as_str().map(str::to_string))
        }
    };
    // The round pushed and pulled with the new token: the old one is retired.
    assert_eq!(
        handshake(before.token.clone()).await,
        (401, Some("bad_token".into()))
    );
    assert_eq!(handshake(after.token.clone()).await, (200, None));
    let (pending, version): (Option<i64>, Option<String>) =
        sqlx::query_as("SELECT pending_at_last_sync, app_version FROM devices WHERE id = $1")
            .bind(&before.device_id)
            .fetch_one(&s.state.db)
            .await
            .unwrap();
    // The test's own handshake above said nothing of itself; the tablet's said 2.
    assert_eq!((pending, version), (None, None));
    sync_once(&tablet.store, &net, 2).await.unwrap();
    let (pending, version): (Option<i64>, Option<String>) =
        sqlx::query_as("SELECT pending_at_last_sync, app_version FROM devices WHERE id = $1")
            .bind(&before.device_id)
            .fetch_one(&s.state.db)
            .await
            .unwrap();
    assert_eq!(
        (pending, version.as_deref()),
        (Some(0), Some(env!("CARGO_PKG_VERSION")))
    );
    // Nothing renewed again for a fresh token.
    assert_eq!(
        sync::session(&tablet.store).await.unwrap().unwrap().token,
        after.token
    );
    assert_eq!(tablet.states().await, (0, 2, 0));
}

/// An expired sign-in is not a revocation: nothing is wiped and the outbox stays; the session
/// is forgotten (the sign-in screen says why) and after an online sign-in the work is uploaded.
async fn an_expired_sign_in_keeps_the_work_for_the_next_sign_in(backend: Backend) {
    use cunbao_app::access::{self, Closed, Gate};
    let s = TestServer::start(backend).await;
    let net = in_process(s.state.clone());
    let tablet = Tablet::signed_in(&net, "lijia").await;
    tablet.enrol("e1", &person(1)).await;
    let device = sync::session(&tablet.store)
        .await
        .unwrap()
        .unwrap()
        .device_id;
    sqlx::query("UPDATE devices SET expires_at = $1 WHERE id = $2")
        .bind((chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339())
        .bind(&device)
        .execute(&s.state.db)
        .await
        .unwrap();
    let err = sync_once(&tablet.store, &net, 1).await.unwrap_err();
    assert!(access::is_expiry(&err), "{err:?}");
    assert!(!access::is_revocation(&err));
    assert!(!err.is_retryable());
    // What the sync runner does then.
    access::expire(&tablet.store, access::Closed::Expired)
        .await
        .unwrap();
    assert_eq!(tablet.states().await, (1, 0, 0), "the outbox stays");
    assert_eq!(
        access::at_start(&tablet.store).await.unwrap(),
        Gate::SignIn(Some(Closed::Expired))
    );
    assert_eq!(sync::session(&tablet.store).await.unwrap(), None);
    assert_eq!(s.count("SELECT COUNT(*) FROM records").await, 0);
    // The clinic signs in again online; the next round uploads the work.
    let session = access::sign_in(
        &tablet.store,
        &net,
        &SignInRequest {
            username: "lijia".into(),
            password: seed::SAMPLE_PASSWORD.into(),
            device_name: "lijia 平板".into(),
            tablet_id: None,
            new_password: None,
        },
    )
    .await
    .unwrap();
    // What the browser does next (the data key and its PIN copy are WebCrypto's, tested in
    // `app/tests/vault.rs`): the session kept and the PIN's record written.
    access::start_session(&tablet.store, &session, 2)
        .await
        .unwrap();
    cunbao_app::pin::set(
        &tablet.store,
        &cunbao_app::pin::PinRecord {
            username: "lijia".into(),
            display_name: session.user.display_name.clone(),
            salt: "s".into(),
            iterations: 100_000,
            wrapped: "w".into(),
            failures: 0,
        },
    )
    .await
    .unwrap();
    assert_eq!(access::at_start(&tablet.store).await.unwrap(), Gate::Locked);
    sync_once(&tablet.store, &net, 2).await.unwrap();
    assert_eq!(tablet.states().await, (0, 1, 0));
    assert_eq!(s.count("SELECT COUNT(*) FROM records").await, 1);
}

/// A user the township disabled: the tablet's next round is refused as `account_disabled`,
/// which wipes nothing (not a revocation); the session is forgotten and the sign-in screen says
/// why; the work stays, and another assistant of the same clinic signs in and uploads it.
async fn a_disabled_users_tablet_keeps_the_work_for_a_colleague(backend: Backend) {
    use cunbao_app::access::{self, Closed, Gate};
    let s = TestServer::start(backend).await;
    let net = in_process(s.state.clone());
    let tablet = Tablet::signed_in(&net, "lijia").await;
    tablet.enrol("e1", &person(1)).await;
    sqlx::query("UPDATE users SET disabled_at = $1 WHERE username = 'lijia'")
        .bind(chrono::Utc::now().to_rfc3339())
        .execute(&s.state.db)
        .await
        .unwrap();
    let err = sync_once(&tablet.store, &net, 1).await.unwrap_err();
    assert_eq!(
        access::ended_session(&err),
        Some(Closed::Disabled),
        "{err:?}"
    );
    assert!(!access::is_revocation(&err));
    access::expire(&tablet.store, Closed::Disabled)
        .await
        .unwrap();
    assert_eq!(tablet.states().await, (1, 0, 0), "the outbox stays");
    assert_eq!(
        access::at_start(&tablet.store).await.unwrap(),
        Gate::SignIn(Some(Closed::Disabled))
    );
    let request = |username: &str| SignInRequest {
        username: username.into(),
        password: seed::SAMPLE_PASSWORD.into(),
        device_name: "李家村平板".into(),
        tablet_id: None,
        new_password: None,
    };
    assert!(access::sign_in(&tablet.store, &net, &request("lijia"))
        .await
        .is_err());
    let session = access::sign_in(&tablet.store, &net, &request("lijia2"))
        .await
        .unwrap();
    access::start_session(&tablet.store, &session, 2)
        .await
        .unwrap();
    sync_once(&tablet.store, &net, 2).await.unwrap();
    assert_eq!(tablet.states().await, (0, 1, 0));
    assert_eq!(s.count("SELECT COUNT(*) FROM records").await, 1);
}

/// A township publishes a new catalogue while a tablet is offline: the tablet's next sync
/// brings it (the old one replaced completely), and a claim settled before keeps the version
/// and prices it was settled with.
async fn a_catalogue_published_while_offline_arrives_with_the_next_sync(backend: Backend) {
    use cunbao_domain::catalogue_csv::HEADER;
    use cunbao_domain::quantity::Quantity;
    use cunbao_domain::sample;
    use cunbao_domain::settlement::{Accumulators, LineInput};
    use cunbao_server::publishing;

    let s = TestServer::start(backend).await;
    let net = in_process(s.state.clone());
    let tablet = Tablet::signed_in(&net, "lijia").await;
    tablet.enrol("e1", &person(1)).await;
    let catalogue = sample::catalogue();
    let amoxicillin = &catalogue.items[0];
    let body = sample::general_outpatient_claim(
        &Policy::sample_2025(),
        &catalogue.version,
        person(1),
        NaiveDate::from_ymd_opt(2025, 3, 2).unwrap(),
        vec![LineInput::from_item(amoxicillin, Quantity::whole(1))],
        Accumulators::default(),
    );
    outbox::enqueue(&tablet.store, "k-before", body, 0)
        .await
        .unwrap();
    sync_once(&tablet.store, &net, 1).await.unwrap();

    // Offline now; the township publishes a catalogue that prices the item anew.
    let csv = format!(
        "{HEADER}\n{},{},drug,A,,盒,99.99,,,,,,,,,\nNEW0001,新药,drug,A,,盒,5.00,,,,,,,,,\n",
        amoxicillin.code, amoxicillin.name
    );
    let effective = cunbao_server::clock::today();
    let plan = publishing::plan_catalogue(&s.state.db, &csv, "county-next.1", effective)
        .await
        .unwrap();
    assert_eq!(plan.diff.added.len(), 1);
    assert_eq!(plan.diff.removed.len(), catalogue.items.len() - 1);
    publishing::publish_catalogue(&s.state.db, &plan, &publishing::Publisher::console())
        .await
        .unwrap();

    sync_once(&tablet.store, &net, 2).await.unwrap();
    let status = sync::status(&tablet.store).await.unwrap();
    assert_eq!(status.catalogue, Some(("county-next.1".to_string(), 2)));
    let item: Value = tablet
        .store
        .get(
            StoreName::CatalogueItems,
            &format!("county-next.1|{}", amoxicillin.code),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(item["price"], "99.99");
    let claim: String = sqlx::query_scalar("SELECT data FROM records WHERE id = 'k-before'")
        .fetch_one(&s.state.db)
        .await
        .unwrap();
    let claim: Value = serde_json::from_str(&claim).unwrap();
    assert_eq!(claim["catalogue_version"], catalogue.version);
    assert_eq!(claim["lines"][0]["price"], "12.50");
}

/// Changes after enrolment made at one tablet's desk reach the clinic's other tablet through
/// the real engines: the corrected name with the earlier one in the history (naming the device
/// as it signed in), and the stop, which suspends the person from its day. Another clinic's
/// tablet cannot change the person.
async fn changes_after_enrolment_reach_the_other_tablet(backend: Backend) {
    use cunbao_app::desk::changes::{correct, stop_cover, Maker};
    use cunbao_app::desk::residents::ResidentIndex;
    use cunbao_domain::enrolment::{Correction, Eligibility, StopReason};
    let s = TestServer::start(backend).await;
    let net = in_process(s.state.clone());
    let a = Tablet::signed_in(&net, "lijia").await;
    let b = Tablet::signed_in(&net, "lijia").await;
    let outsider = Tablet::signed_in(&net, "daping").await;
    a.enrol("e-1", &person(7)).await;
    sync_once(&a.store, &net, 1).await.unwrap();
    let maker = |id: &str| Maker {
        device_id: "local".into(),
        clinic_id: "clinic-lijia".into(),
        now_ms: 2,
        at: "2025-06-16T02:00:00Z".into(),
        new_id: id.into(),
    };
    let fixed = Correction::Name(PersonName::parse("覃海艳").unwrap());
    correct(&a.store, "e-1", fixed.clone(), maker("fix-1"))
        .await
        .unwrap();
    let day = |m, d| NaiveDate::from_ymd_opt(2025, m, d).unwrap();
    stop_cover(
        &a.store,
        "e-1",
        day(6, 16),
        StopReason::Death,
        maker("stop-1"),
    )
    .await
    .unwrap();
    sync_once(&a.store, &net, 3).await.unwrap();
    assert_eq!(a.states().await, (0, 3, 0));

    sync_once(&b.store, &net, 4).await.unwrap();
    let index = ResidentIndex::load(&b.store).await.unwrap();
    let person_on_b = index.get("e-1").expect("pulled");
    assert_eq!(person_on_b.name(), "覃海艳");
    let history = &person_on_b.record.corrections;
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].earlier.value_text(), "覃海燕");
    assert_eq!(history[0].device_name, "lijia 平板");
    assert_eq!(person_on_b.eligibility(day(6, 15)), Eligibility::Eligible);
    assert_eq!(person_on_b.eligibility(day(6, 16)), Eligibility::Suspended);
    // A's own history now carries the server's copy: one entry, naming the device.
    let on_a = ResidentIndex::load(&a.store).await.unwrap();
    let history = &on_a.get("e-1").unwrap().record.corrections;
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].device_name, "lijia 平板");

    // Another clinic's tablet names the person's enrolment: refused, nothing changes.
    let body = MutationBody::Correction {
        enrolment_id: "e-1".into(),
        correction: Correction::Name(PersonName::parse("冒名").unwrap()),
    };
    outbox::enqueue(&outsider.store, "fix-x", body, 0)
        .await
        .unwrap();
    sync_once(&outsider.store, &net, 5).await.unwrap();
    assert_eq!(outsider.states().await, (0, 0, 1));
    sync_once(&b.store, &net, 6).await.unwrap();
    let index = ResidentIndex::load(&b.store).await.unwrap();
    assert_eq!(index.get("e-1").unwrap().name(), "覃海艳");
}

/// What a tablet's queue holds that the server cannot take — a text with a NUL, a record id
/// no tablet should make, a claim for someone never enrolled — is refused one by one, and the
/// queue moves on: the work after it is applied in the same sync.
async fn the_queue_moves_on_past_what_the_server_refuses(backend: Backend) {
    let s = TestServer::start(backend).await;
    let net = in_process(s.state.clone());
    let tablet = Tablet::signed_in(&net, "lijia").await;
    tablet.enrol("e1", &person(41)).await;
    let nul = MutationBody::Void {
        target_record_id: "e1".into(),
        reason: "录入\u{0}错误".into(),
    };
    outbox::enqueue(&tablet.store, "v1", nul, 0).await.unwrap();
    outbox::enqueue(
        &tablet.store,
        "adj:forged",
        MutationBody::Void {
            target_record_id: "e1".into(),
            reason: "录入错误".into(),
        },
        0,
    )
    .await
    .unwrap();
    let catalogue = cunbao_domain::sample::catalogue();
    let lines = vec![cunbao_domain::settlement::LineInput::from_item(
        &catalogue.items[0],
        cunbao_domain::quantity::Quantity::whole(1),
    )];
    let never_enrolled = cunbao_domain::sample::general_outpatient_claim(
        &Policy::sample_2025(),
        &catalogue.version,
        person(42),
        NaiveDate::from_ymd_opt(2025, 3, 3).unwrap(),
        lines,
        cunbao_domain::settlement::Accumulators::default(),
    );
    outbox::enqueue(&tablet.store, "k1", never_enrolled, 0)
        .await
        .unwrap();
    tablet.enrol("e2", &person(43)).await;
    sync_once(&tablet.store, &net, 1).await.unwrap();
    assert_eq!(tablet.states().await, (0, 2, 3));
    let entries = outbox::entries(&tablet.store).await.unwrap();
    let code = |record: &str| {
        let entry = entries
            .iter()
            .find(|e| e.mutation.record_id == record)
            .unwrap();
        match &entry.state {
            EntryState::Rejected { result } => result.code.clone().unwrap_or_default(),
            other => format!("{other:?}"),
        }
    };
    assert_eq!(code("v1"), "bad_value");
    assert_eq!(code("adj:forged"), "bad_record_id");
    assert_eq!(code("k1"), "not_entitled");
    // Every one answered and logged; only the two enrolments made records.
    assert_eq!(server_counts(&s).await, (5, 2));
}

/// Work made offline by one user, who signs out; a second user of the clinic signs in on the
/// same tablet and syncs: the server records the first as its operator (who collected the
/// cash), the second as the device's user who pushed it, and the clinic's other tablet hears
/// who collected.
async fn a_second_user_on_the_tablet_sends_the_first_users_work_as_theirs(backend: Backend) {
    let s = TestServer::start(backend).await;
    let net = in_process(s.state.clone());
    let tablet = Tablet::signed_in(&net, "lijia").await;
    tablet.enrol("e-a", &person(1)).await;
    let cash = MutationBody::Contribution {
        receipt_no: "R-a".into(),
        household_id: "hh-a".into(),
        enrolment_ids: vec!["e-a".into()],
        amount: cunbao_domain::money::Money::yuan(390),
        collected_on: NaiveDate::from_ymd_opt(2024, 10, 9).unwrap(),
    };
    outbox::enqueue(&tablet.store, "c-a", cash, 0)
        .await
        .unwrap();
    // She signs out with the work unsent: it stays, and nothing more is saved.
    cunbao_app::access::sign_out(&tablet.store, &net)
        .await
        .unwrap();
    let refused = outbox::enqueue(&tablet.store, "e-x", void("e-a"), 0).await;
    assert_eq!(refused.unwrap_err(), outbox::SaveError::NotSignedIn);
    assert_eq!(outbox::pending(&tablet.store).await.unwrap().len(), 2);
    // Her colleague signs in on the same tablet, makes something of his own, and syncs.
    sync::sign_in(
        &tablet.store,
        &net,
        &SignInRequest {
            username: "lijia2".into(),
            password: seed::SAMPLE_PASSWORD.into(),
            device_name: "李家村卫生室平板".into(),
            tablet_id: None,
            new_password: None,
        },
    )
    .await
    .unwrap();
    tablet.enrol("e-b", &person(2)).await;
    sync_once(&tablet.store, &net, 1).await.unwrap();
    assert_eq!(tablet.states().await, (0, 3, 0));
    let operator = |id: &'static str| {
        let s = &s;
        async move {
            let data: String = sqlx::query_scalar("SELECT data FROM records WHERE id = $1")
                .bind(id)
                .fetch_one(&s.state.db)
                .await
                .unwrap();
            let data: Value = serde_json::from_str(&data).unwrap();
            data["operator"]["username"].as_str().unwrap().to_string()
        }
    };
    assert_eq!(operator("e-a").await, "lijia");
    assert_eq!(operator("c-a").await, "lijia");
    assert_eq!(operator("e-b").await, "lijia2");
    let pusher: String = sqlx::query_scalar(
        "SELECT username FROM audit_log WHERE subject = 'c-a' AND action = 'contribution'",
    )
    .fetch_one(&s.state.db)
    .await
    .unwrap();
    assert_eq!(pusher, "lijia2");
    // The clinic's other tablet hears who collected the cash.
    let other = Tablet::signed_in(&net, "lijia").await;
    let (_, pulled) = s
        .call(
            Method::GET,
            "/api/v1/sync/pull?after=0&limit=100",
            Some(&sync::session(&other.store).await.unwrap().unwrap().token),
            None,
        )
        .await;
    let contribution = pulled["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["entity"] == "contribution" && c["id"] == "c-a")
        .unwrap()
        .clone();
    assert_eq!(contribution["data"]["operator"]["username"], "lijia");
    assert_eq!(
        contribution["data"]["operator"]["display_name"],
        "王秀兰（李家村卫生室）"
    );
}

fn void(target: &str) -> MutationBody {
    MutationBody::Void {
        target_record_id: target.into(),
        reason: "录入错误".into(),
    }
}

/// The second person's decisions reach the tablet that proposed: a void of an uploaded claim
/// proposed at the tablet and approved at the township shows on the claim (and the claim as
/// voided), a refund refused clears the receipt's proposal so another can be made, and the
/// sync page's list has both decisions, newest first.
async fn the_townships_second_person_decisions_reach_the_tablet(backend: Backend) {
    use cunbao_app::desk::changes::{household_receipts, propose_refund, Maker};
    use cunbao_app::desk::visit::{propose_void, ClaimRecord};
    use cunbao_app::storage::records::{Notice, TownshipDecision};
    use cunbao_domain::claim::ClaimStatus;
    use cunbao_domain::enrolment::RefundReason;
    use cunbao_domain::money::Money;
    use cunbao_domain::second_person::ProposalState;
    use cunbao_domain::settlement::Accumulators;

    let s = TestServer::start(backend).await;
    let net = in_process(s.state.clone());
    let tablet = Tablet::signed_in(&net, "lijia").await;
    tablet.enrol("e1", &person(3)).await;
    let day = NaiveDate::from_ymd_opt(2025, 3, 2).unwrap();
    let catalogue = sample::catalogue();
    let body = sample::general_outpatient_claim(
        &Policy::sample_2025(),
        &catalogue.version,
        person(3),
        day,
        vec![cunbao_domain::settlement::LineInput::from_item(
            &catalogue.items[0],
            cunbao_domain::quantity::Quantity::whole(1),
        )],
        Accumulators::default(),
    );
    let MutationBody::Claim(claim) = &body else {
        unreachable!("a claim")
    };
    let record = ClaimRecord {
        claim_id: "k1".into(),
        enrolment_id: "e1".into(),
        patient_name: "覃海燕".into(),
        saved_at_ms: 1,
        cap_pool: "general_outpatient".into(),
        operator: "王秀兰".into(),
        voided: None,
        server: None,
        decision: None,
        void_proposal: None,
        claim: (**claim).clone(),
    };
    tablet
        .store
        .put_as(StoreName::Claims, "k1", &record)
        .await
        .unwrap();
    outbox::enqueue(&tablet.store, "k1", body.clone(), 0)
        .await
        .unwrap();
    let receipt = MutationBody::Contribution {
        receipt_no: "R-1".into(),
        household_id: "h1".into(),
        enrolment_ids: vec!["e1".into()],
        amount: Money::yuan(390),
        collected_on: day,
    };
    tablet
        .store
        .put(
            StoreName::Contributions,
            "r1",
            serde_json::json!({ "receipt_no": "R-1", "household_id": "h1", "amount": "390.00",
                                "collected_on": "2025-03-02" }),
        )
        .await
        .unwrap();
    outbox::enqueue(&tablet.store, "r1", receipt, 0)
        .await
        .unwrap();
    sync_once(&tablet.store, &net, 1).await.unwrap();

    propose_void(&tablet.store, "k1", "录错病人", "p-void", 2)
        .await
        .unwrap();
    let maker = Maker {
        device_id: "local".into(),
        clinic_id: "clinic-lijia".into(),
        now_ms: 2,
        at: "2025-03-02T02:00:00Z".into(),
        new_id: "p-refund".into(),
    };
    propose_refund(&tablet.store, "r1", RefundReason::Duplicate, maker)
        .await
        .unwrap();
    sync_once(&tablet.store, &net, 2).await.unwrap();
    assert_eq!(tablet.states().await, (0, 5, 0));

    let (reviewer, _) = s.sign_in("shenhe").await;
    let decide = |id: &'static str, body: Value| {
        let (s, reviewer) = (&s, reviewer.clone());
        async move {
            let (status, answer) = s
                .call(
                    Method::POST,
                    &format!("/api/v1/township/proposals/{id}/decision"),
                    Some(&reviewer),
                    Some(body),
                )
                .await;
            assert_eq!(status.as_u16(), 200, "{answer}");
        }
    };
    decide("p-void", serde_json::json!({ "decision": "approve" })).await;
    decide(
        "p-refund",
        serde_json::json!({ "decision": "refuse", "note": "并非重复缴费" }),
    )
    .await;
    sync_once(&tablet.store, &net, 3).await.unwrap();

    let own: ClaimRecord = tablet
        .store
        .get_as(StoreName::Claims, "k1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(own.decision.unwrap().status, ClaimStatus::Voided);
    let decided = own.void_proposal.unwrap().decided.unwrap();
    assert_eq!(decided.state, ProposalState::Approved);
    assert_eq!(decided.decided_by_username, "shenhe");
    let receipts = household_receipts(&tablet.store, "h1").await.unwrap();
    assert!(
        receipts[0].refund.is_none(),
        "refused: another may be proposed"
    );
    assert_eq!(
        receipts[0].refund_decided.as_ref().unwrap().note.as_deref(),
        Some("并非重复缴费")
    );
    let listed = Notice::decisions(&tablet.store).await.unwrap();
    assert_eq!(listed.len(), 3, "{listed:?}");
    assert!(listed
        .iter()
        .any(|d| matches!(d, TownshipDecision::Claim(c) if c.status == ClaimStatus::Voided)));
    assert_eq!(
        listed
            .iter()
            .filter(|d| matches!(d, TownshipDecision::Proposal(_)))
            .count(),
        2
    );
}

on_both_databases!(
    the_townships_second_person_decisions_reach_the_tablet,
    a_renewed_token_is_kept_and_used,
    an_expired_sign_in_keeps_the_work_for_the_next_sign_in,
    a_disabled_users_tablet_keeps_the_work_for_a_colleague,
    a_second_user_on_the_tablet_sends_the_first_users_work_as_theirs,
    the_queue_moves_on_past_what_the_server_refuses,
    changes_after_enrolment_reach_the_other_tablet,
    faults_never_lose_or_double_anything,
    answers_are_kept_when_the_pull_after_the_last_push_fails,
    two_clinics_and_the_township_see_the_duplicate,
    the_year_to_date_figures_reach_the_tablet,
    a_catalogue_published_while_offline_arrives_with_the_next_sync,
);
