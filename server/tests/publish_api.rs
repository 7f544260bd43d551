//! Publishing over the API (`POST /api/v1/publish/catalogue`, `POST /api/v1/publish/policy`),
//! from outside over HTTP as the township's screens would, on SQLite and PostgreSQL alike: only
//! township staff propose; a second township user (not the proposer, not another township's)
//! approves, and only then is it published, or refuses it with a reason; a file with wrong
//! lines is refused line by line and proposes nothing; a version is published once; each
//! publication is in the audit trail with who approved it and the proposal; and what is
//! published is what every server process serves the tablets next.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{Backend, TestServer};
use cunbao_domain::catalogue_csv::HEADER;
use cunbao_domain::policy::Policy;
use serde_json::{json, Value};

const SAMPLE_CSV: &str = include_str!("../../domain/data/catalogue-sample.csv");

fn today() -> chrono::NaiveDate {
    cunbao_server::clock::today()
}

/// The sample catalogue with 阿莫西林胶囊 (the first item) now priced per piece, its second
/// item withdrawn and a new item priced to six decimals.
fn next_catalogue() -> String {
    let mut lines: Vec<String> = SAMPLE_CSV.lines().map(String::from).collect();
    let mut first: Vec<String> = lines[1].split(',').map(String::from).collect();
    first[6] = "0.5208".into();
    lines[1] = first.join(",");
    lines.remove(2);
    lines.push("NEW2027001,某缓释片（拆零）,drug,A,10mg,片,0.208333,,,,,,,,,".into());
    lines.join("\n")
}

async fn publish_catalogue(
    s: &TestServer,
    token: Option<&str>,
    body: Value,
) -> (StatusCode, Value) {
    s.call(Method::POST, "/api/v1/publish/catalogue", token, Some(body))
        .await
}

/// A second person's decision on a proposed publication.
async fn decide(s: &TestServer, token: &str, id: &Value, decision: Value) -> (StatusCode, Value) {
    let path = format!(
        "/api/v1/publish/proposals/{}/decision",
        id.as_str().unwrap()
    );
    s.call(Method::POST, &path, Some(token), Some(decision))
        .await
}

async fn published_count(s: &TestServer) -> i64 {
    s.count("SELECT COUNT(*) FROM published_versions").await
}

async fn township_staff_publish_a_catalogue_that_tablets_then_receive(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (reviewer, reviewer_device) = s.sign_in("shenhe").await;
    let before = published_count(&s).await;
    let request = |dry_run: bool| {
        json!({
            "csv": next_catalogue(),
            "effective_from": today(),
            "version": "county-api.1",
            "dry_run": dry_run,
        })
    };

    // A dry run answers the difference from the version in force and publishes nothing.
    let (status, body) = publish_catalogue(&s, Some(&reviewer), request(true)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["published"], false);
    assert_eq!(body["version"], "county-api.1");
    assert_eq!(body["against"], "sample-2025.1");
    assert_eq!(body["items"], SAMPLE_CSV.lines().count() - 1);
    assert_eq!(body["added"][0]["code"], "NEW2027001");
    assert_eq!(body["removed"][0]["code"], "XJ01CAA002");
    assert_eq!(body["changed"][0]["code"], "XJ01CAA001");
    assert_eq!(
        body["changed"][0]["changes"][0],
        json!({ "field": "price", "from": "12.50", "to": "0.5208" })
    );
    assert_eq!(body["summary"]["zh"], "新增1项，删除1项，变更1项");
    assert_eq!(published_count(&s).await, before);
    assert_eq!(
        s.count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'publish%'")
            .await,
        0
    );

    // Proposed: nothing is published until a second person approves; not the proposer.
    let (status, body) = publish_catalogue(&s, Some(&reviewer), request(false)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["published"], false);
    let proposal = body["proposal_id"].clone();
    assert_eq!(published_count(&s).await, before);
    let (status, answer) = decide(&s, &reviewer, &proposal, json!({ "decision": "approve" })).await;
    assert_eq!(
        (status, answer["code"].clone()),
        (StatusCode::CONFLICT, json!("own_proposal"))
    );
    let (other_township, _) = s.sign_in("shanhe-admin").await;
    let (status, answer) = decide(
        &s,
        &other_township,
        &proposal,
        json!({ "decision": "approve" }),
    )
    .await;
    assert_eq!(
        (status, answer["code"].clone()),
        (StatusCode::NOT_FOUND, json!("unknown_proposal"))
    );
    assert_eq!(published_count(&s).await, before);

    // Approved by the administrator: published, and the audit trail names who approved it,
    // from which device, and the proposal.
    let (admin, admin_device) = s.sign_in("admin").await;
    let (status, answer) = decide(&s, &admin, &proposal, json!({ "decision": "approve" })).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["decided"]["state"], "approved");
    assert_eq!(answer["decided"]["decided_by_username"], "admin");
    assert_eq!(published_count(&s).await, before + 1);
    // Sent twice, it is approved once.
    let (status, _) = decide(&s, &admin, &proposal, json!({ "decision": "approve" })).await;
    assert_eq!(status, StatusCode::OK);
    let (status, answer) = decide(
        &s,
        &admin,
        &proposal,
        json!({ "decision": "refuse", "note": "改主意了" }),
    )
    .await;
    assert_eq!(
        (status, answer["code"].clone()),
        (StatusCode::CONFLICT, json!("already_decided"))
    );
    assert_eq!(published_count(&s).await, before + 1);
    let row: (String, Option<String>, String, String) = sqlx::query_as(
        "SELECT username, device_id, subject, detail FROM audit_log \
         WHERE action = 'publish_catalogue'",
    )
    .fetch_one(&s.state.db)
    .await
    .unwrap();
    let (username, device, subject, detail) = row;
    assert_eq!(
        (username.as_str(), device.as_deref(), subject.as_str()),
        ("admin", Some(admin_device.as_str()), "county-api.1")
    );
    let detail: Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(
        (
            &detail["added"],
            &detail["removed"],
            &detail["changed"],
            &detail["proposal"]
        ),
        (&json!(1), &json!(1), &json!(1), &proposal)
    );
    let proposed_by: String =
        sqlx::query_scalar("SELECT device_id FROM audit_log WHERE action = 'publication_proposed'")
            .fetch_one(&s.state.db)
            .await
            .unwrap();
    assert_eq!(proposed_by, reviewer_device);
    // The history names who proposed and who approved it.
    let (status, list) = s
        .call(
            Method::GET,
            "/api/v1/publish/proposals",
            Some(&reviewer),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let version = list["versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["version"] == "county-api.1")
        .cloned()
        .unwrap();
    assert_eq!(version["proposed_by"], "覃明（两江镇医保服务站审核员）");
    assert_eq!(version["approved_by"], "梁志强（两江镇管理员）");
    assert_eq!(list["awaiting"], json!([]));
    assert_eq!(
        list["decided"][0]["changes"][0]["zh"],
        "新增1项，删除1项，变更1项"
    );
    assert_eq!(
        cunbao_server::audit::verify_audit_chain(&s.state.db)
            .await
            .unwrap(),
        None
    );

    // Another server process on the same database serves it to a tablet's next sync.
    let other = cunbao_server::AppState::load(s.state.db.clone(), Default::default())
        .await
        .unwrap();
    let (tablet, _) = s.sign_in("lijia").await;
    let (status, handshake) =
        common::request(&other, "GET", "/api/v1/sync/handshake", Some(&tablet), None).await;
    assert_eq!(status, StatusCode::OK, "{handshake}");
    assert_eq!(handshake["catalogue_version"], "county-api.1");
    let (status, page) = common::request(
        &other,
        "GET",
        "/api/v1/catalogue?offset=0&limit=5000",
        Some(&tablet),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["version"], "county-api.1");
    let items = page["items"].as_array().unwrap();
    let price = |code: &str| {
        items
            .iter()
            .find(|i| i["code"] == code)
            .map(|i| i["price"].clone())
    };
    assert_eq!(price("XJ01CAA001"), Some(json!("0.5208")));
    assert_eq!(price("NEW2027001"), Some(json!("0.208333")));
    assert_eq!(price("XJ01CAA002"), None);

    // Versions are immutable: the same version again is a conflict, dry run or not, and the
    // published one is unchanged.
    for dry_run in [false, true] {
        let (status, body) = publish_catalogue(&s, Some(&reviewer), request(dry_run)).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["code"], "version_exists");
        assert!(body["message_zh"]
            .as_str()
            .unwrap()
            .contains("版本county-api.1已发布"));
        assert!(body["message_en"]
            .as_str()
            .unwrap()
            .contains("published already"));
    }
    assert_eq!(published_count(&s).await, before + 1);
}

async fn only_township_staff_may_publish(backend: Backend) {
    let s = TestServer::start(backend).await;
    let before = published_count(&s).await;
    let catalogue = json!({ "csv": next_catalogue(), "effective_from": today() });
    let mut policy = serde_json::to_value(Policy::sample_for(2031)).unwrap();
    policy["version"] = "county-2031.9".into();
    let policy = json!({ "policy": policy });
    let (clinic, _) = s.sign_in("lijia").await;
    for (path, body) in [
        ("/api/v1/publish/catalogue", &catalogue),
        ("/api/v1/publish/policy", &policy),
    ] {
        let (status, answer) = s
            .call(Method::POST, path, Some(&clinic), Some(body.clone()))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {answer}");
        assert_eq!(answer["code"], "forbidden");
        assert!(answer["message_zh"].as_str().unwrap().contains("无权"));
        let (status, answer) = s.call(Method::POST, path, None, Some(body.clone())).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}: {answer}");
        assert_eq!(answer["code"], "unauthenticated");
        let (status, _) = s
            .call(Method::POST, path, Some("not-a-token"), Some(body.clone()))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
    }
    assert_eq!(published_count(&s).await, before);
    let (status, _) = s
        .call(
            Method::GET,
            "/api/v1/publish/proposals",
            Some(&clinic),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Administrators are township staff too; a clinic user cannot decide their proposal.
    let (admin, _) = s.sign_in("admin").await;
    let (status, body) = s
        .call(
            Method::POST,
            "/api/v1/publish/policy",
            Some(&admin),
            Some(policy),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = decide(
        &s,
        &clinic,
        &body["proposal_id"],
        json!({ "decision": "approve" }),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(published_count(&s).await, before);
}

async fn a_file_with_wrong_lines_is_refused_line_by_line_and_publishes_nothing(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (reviewer, _) = s.sign_in("shenhe").await;
    let before = published_count(&s).await;
    let bad = format!(
        "{HEADER}\nX1,甲,drug,A,,片,0.208333,,,,,,,,,\nX2,乙,drug,A,,片,0.2083333,,,,,,,,,\n\
         X3,丙,drug,B,,,2.00,,,,,,,,,\nX4,丁,drug,A,,,abc,,,,,,,,,\n"
    );
    let (status, body) = publish_catalogue(
        &s,
        Some(&reviewer),
        json!({ "csv": bad, "effective_from": "2027-01-01", "version": "v-bad" }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "catalogue_lines");
    assert_eq!(body["message_zh"], "文件有3处错误，未发布");
    assert_eq!(
        body["message_en"],
        "3 error(s) in the file; nothing was published"
    );
    let lines = body["lines"].as_array().unwrap();
    let numbers: Vec<u64> = lines.iter().map(|l| l["line"].as_u64().unwrap()).collect();
    assert_eq!(numbers, [3, 4, 5]);
    assert_eq!(
        lines[0]["message_zh"],
        "第3行：price：单价最多六位小数：0.2083333"
    );
    assert_eq!(
        lines[0]["message_en"],
        "line 3: price: a unit price has at most six decimals: 0.2083333"
    );
    assert!(lines[1]["message_zh"]
        .as_str()
        .unwrap()
        .starts_with("第4行：first_self_pay_ratio"));
    assert!(lines[2]["message_en"]
        .as_str()
        .unwrap()
        .starts_with("line 5: price"));
    assert_eq!(published_count(&s).await, before);

    // Nothing was taken: the same version is still free.
    let (status, body) = publish_catalogue(
        &s,
        Some(&reviewer),
        json!({ "csv": next_catalogue(), "effective_from": "2027-01-01", "version": "v-bad",
                "dry_run": true }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // A header alone, a version name that is not one, a missing date: each a coded 400.
    for (request, code) in [
        (
            json!({ "csv": HEADER, "effective_from": "2027-01-01" }),
            "empty_catalogue",
        ),
        (
            json!({ "csv": next_catalogue(), "effective_from": "2027-01-01",
                    "version": "目录 2027" }),
            "bad_version",
        ),
        (json!({ "csv": next_catalogue() }), "invalid_fields"),
        (
            json!({ "csv": next_catalogue(), "effective_from": "2027-02-30" }),
            "invalid_fields",
        ),
        (
            json!({ "csv": next_catalogue(), "effective_from": "2027-01-01", "publish": true }),
            "invalid_fields",
        ),
    ] {
        let (status, body) = publish_catalogue(&s, Some(&reviewer), request.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{request}: {body}");
        assert_eq!(body["code"], code, "{request}: {body}");
        assert!(!body["message_zh"].as_str().unwrap().is_empty());
        assert!(!body["message_en"].as_str().unwrap().is_empty());
    }
    assert_eq!(published_count(&s).await, before);
}

async fn an_oversized_body_is_refused(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (reviewer, _) = s.sign_in("shenhe").await;
    let before = published_count(&s).await;
    let row = "X0000001,某药,drug,A,,盒,1.00,,,,,,,,,\n";
    let csv = format!(
        "{HEADER}\n{}",
        row.repeat(cunbao_server::api::BODY_LIMIT / row.len() + 1)
    );
    let body = json!({ "csv": csv, "effective_from": "2027-01-01" }).to_string();
    assert!(body.len() > cunbao_server::api::BODY_LIMIT);
    let request = Request::post("/api/v1/publish/catalogue")
        .header(header::AUTHORIZATION, format!("Bearer {reviewer}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .unwrap();
    let (status, answer) = s.raw(request).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
    assert_eq!(answer["code"], "too_large");
    assert_eq!(published_count(&s).await, before);
}

async fn township_staff_publish_a_policy(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (reviewer, reviewer_device) = s.sign_in("shenhe").await;
    let mut policy = serde_json::to_value(Policy::sample_for(2027)).unwrap();
    policy["version"] = "county-2027.1".into();
    policy["enrolment"]["contribution_per_person"] = "400.00".into();
    let request = |dry_run: bool| json!({ "policy": policy, "dry_run": dry_run });
    let call = |body: Value| {
        s.call(
            Method::POST,
            "/api/v1/publish/policy",
            Some(&reviewer),
            Some(body),
        )
    };

    let (status, body) = call(request(true)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (
            &body["version"],
            &body["scheme_year"],
            &body["effective_from"],
            &body["published"]
        ),
        (
            &json!("county-2027.1"),
            &json!(2027),
            &json!("2027-01-01"),
            &json!(false)
        )
    );
    let changes: Vec<&str> = body["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["zh"].as_str().unwrap())
        .collect();
    assert!(
        changes.contains(&"个人缴费：390.00 → 400.00"),
        "{changes:?}"
    );

    // Proposed, proposed again while it awaits, refused with a reason, proposed anew and
    // approved by a second person.
    let (status, body) = call(request(false)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["published"], false);
    let first = body["proposal_id"].clone();
    let (status, body) = call(request(false)).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::CONFLICT, json!("proposal_exists"))
    );
    let (admin, admin_device) = s.sign_in("admin").await;
    let (status, body) = decide(
        &s,
        &admin,
        &first,
        json!({ "decision": "refuse", "note": "" }),
    )
    .await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::BAD_REQUEST, json!("note"))
    );
    let (status, body) = decide(
        &s,
        &admin,
        &first,
        json!({ "decision": "refuse", "note": "缴费标准待县里发文" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["decided"]["note"], "缴费标准待县里发文");
    let (status, body) = call(request(false)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let second = body["proposal_id"].clone();
    assert_ne!(first, second);
    let (status, body) = decide(&s, &admin, &second, json!({ "decision": "approve" })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (username, device): (String, Option<String>) = sqlx::query_as(
        "SELECT username, device_id FROM audit_log \
         WHERE action = 'publish_policy' AND subject = 'county-2027.1'",
    )
    .fetch_one(&s.state.db)
    .await
    .unwrap();
    assert_eq!((username.as_str(), device), ("admin", Some(admin_device)));
    let proposer: Option<String> = sqlx::query_scalar(
        "SELECT device_id FROM audit_log WHERE action = 'publication_proposed' \
         AND subject = 'county-2027.1'",
    )
    .fetch_all(&s.state.db)
    .await
    .unwrap()
    .into_iter()
    .next()
    .flatten();
    assert_eq!(proposer, Some(reviewer_device));
    // Tablets learn of it at their next handshake.
    let (tablet, _) = s.sign_in("lijia").await;
    let (_, handshake) = s
        .call(Method::GET, "/api/v1/sync/handshake", Some(&tablet), None)
        .await;
    assert!(handshake["policy_versions"]
        .as_array()
        .unwrap()
        .contains(&json!("county-2027.1")));

    let (status, body) = call(request(false)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["code"], "version_exists");
    let (status, body) = call(json!({ "policy": { "version": "x" } })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "invalid_policy");
    assert!(body["message_zh"]
        .as_str()
        .unwrap()
        .contains("政策文件无效"));
}

on_both_databases!(
    township_staff_publish_a_catalogue_that_tablets_then_receive,
    only_township_staff_may_publish,
    a_file_with_wrong_lines_is_refused_line_by_line_and_publishes_nothing,
    an_oversized_body_is_refused,
    township_staff_publish_a_policy,
);
