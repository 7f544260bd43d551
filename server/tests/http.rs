//! The server's HTTP surface, driven in-process against a real SQLite file and a real
//! directory of client files.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use cunbao_domain::api::{ApiErrorBody, Health};
use cunbao_server::{app, client::ClientFiles, db, AppState};
use http_body_util::BodyExt;
use tower::ServiceExt;

struct Fixture {
    _dir: tempfile::TempDir,
    state: AppState,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(dist.join("icons")).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>村保</title>",
    )
    .unwrap();
    std::fs::write(dist.join("cunbao-app-0123456789abcdef.js"), "export{}").unwrap();
    std::fs::write(dist.join("cunbao-app-0123456789abcdef_bg.wasm"), b"\0asm").unwrap();
    std::fs::write(dist.join("icons/icon-192.png"), b"png").unwrap();
    std::fs::write(
        dist.join("sw.js"),
        "self.addEventListener('install', () => {});",
    )
    .unwrap();
    let db = db::open_sqlite(&dir.path().join("data")).await.unwrap();
    let client = ClientFiles::load(&dist).unwrap();
    Fixture {
        _dir: dir,
        state: AppState::load(db, client).await.unwrap(),
    }
}

async fn get(state: &AppState, path: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let response = app(state.clone())
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, headers, body)
}

#[tokio::test]
async fn health_reports_ok_and_applied_migrations() {
    let f = fixture().await;
    let (status, _, body) = get(&f.state, "/api/v1/health").await;
    assert_eq!(status, StatusCode::OK);
    let health: Health = serde_json::from_slice(&body).unwrap();
    assert_eq!(health.status, "ok");
    assert_eq!(health.migrations, db::MIGRATOR.iter().count() as i64);
}

#[tokio::test]
async fn unknown_api_paths_get_a_json_404_in_both_languages() {
    let f = fixture().await;
    for path in ["/api/v1/nope", "/api/v2/health", "/api"] {
        let (status, headers, body) = get(&f.state, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(headers[header::CONTENT_TYPE], "application/json");
        let error: ApiErrorBody = serde_json::from_slice(&body).unwrap();
        assert_eq!(error.code, "not_found");
        assert_eq!(error.message_zh, "找不到该接口");
        assert_eq!(error.message_en, "No such API endpoint");
    }
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_api_answers_are_not_stored() {
    let f = fixture().await;
    for path in ["/", "/residents", "/api/v1/health", "/api/v1/nowhere"] {
        let (_, headers, _) = get(&f.state, path).await;
        let policy = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{path}: {policy}"
        );
        assert!(
            policy.contains("script-src 'self' 'wasm-unsafe-eval'"),
            "{path}"
        );
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
        assert_eq!(headers[header::REFERRER_POLICY], "no-referrer", "{path}");
    }
    let (_, headers, _) = get(&f.state, "/api/v1/health").await;
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
}

#[tokio::test]
async fn client_routes_get_the_app_revalidated_every_time() {
    let f = fixture().await;
    for path in ["/", "/residents", "/township/review"] {
        let (status, headers, body) = get(&f.state, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
        assert!(String::from_utf8(body).unwrap().contains("村保"));
    }
}

#[tokio::test]
async fn hashed_assets_are_immutable_and_typed() {
    let f = fixture().await;
    let (status, headers, _) = get(&f.state, "/cunbao-app-0123456789abcdef_bg.wasm").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/wasm");
    assert_eq!(
        headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    let (_, headers, _) = get(&f.state, "/icons/icon-192.png").await;
    assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
}

#[tokio::test]
async fn unchanged_files_revalidate_with_a_304() {
    let f = fixture().await;
    let (_, headers, _) = get(&f.state, "/").await;
    let etag = headers[header::ETAG].clone();
    let response = app(f.state.clone())
        .oneshot(
            Request::get("/")
                .header(header::IF_NONE_MATCH, etag.clone())
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(response.headers()[header::ETAG], etag);
    let (status, _, body) = {
        let response = app(f.state.clone())
            .oneshot(
                Request::get("/")
                    .header(header::IF_NONE_MATCH, "\"stale\"")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        let status = response.status();
        (
            status,
            (),
            response.into_body().collect().await.unwrap().to_bytes(),
        )
    };
    assert_eq!(status, StatusCode::OK);
    assert!(!body.is_empty());
}

#[tokio::test]
async fn missing_files_are_404_not_the_app() {
    let f = fixture().await;
    let (status, _, _) = get(&f.state, "/cunbao-app-ffffffffffffffff.js").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn service_worker_lists_exactly_the_served_shell() {
    let f = fixture().await;
    let (status, headers, body) = get(&f.state, "/sw.js").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
    let text = String::from_utf8(body).unwrap();
    assert!(text.contains(&format!(
        "const BUILD_VERSION = \"{}\"",
        f.state.client.version
    )));
    assert!(text.contains(
        r#"const PRECACHE = ["/","/cunbao-app-0123456789abcdef.js","/cunbao-app-0123456789abcdef_bg.wasm","/icons/icon-192.png"]"#
    ));
    assert!(text.ends_with("self.addEventListener('install', () => {});"));
}

#[tokio::test]
async fn a_new_build_gets_a_new_version() {
    let f = fixture().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>v2</title>",
    )
    .unwrap();
    let other = ClientFiles::load(dir.path()).unwrap();
    assert_ne!(other.version, f.state.client.version);
}

#[tokio::test]
async fn a_database_reopened_keeps_its_epoch() {
    let dir = tempfile::tempdir().unwrap();
    let epoch = |pool: sqlx::AnyPool| async move {
        let value = db::epoch(&pool).await.unwrap();
        pool.close().await;
        value
    };
    let first = epoch(db::open_sqlite(dir.path()).await.unwrap()).await;
    let second = epoch(db::open_sqlite(dir.path()).await.unwrap()).await;
    assert_eq!(first.len(), 32);
    assert_eq!(first, second);
}

#[tokio::test]
async fn the_openapi_description_lists_every_endpoint_with_its_wire_types() {
    let f = fixture().await;
    let (status, headers, body) = get(&f.state, "/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    let spec: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    let mut paths: Vec<&str> = spec["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "/auth/sign-in",
            "/auth/sign-out",
            "/catalogue",
            "/clinic/cash",
            "/devices/{id}/revoke",
            "/health",
            "/policy",
            "/publish/catalogue",
            "/publish/policy",
            "/publish/proposals",
            "/publish/proposals/{proposal_id}/decision",
            "/quote",
            "/sync/handshake",
            "/sync/pull",
            "/sync/push",
            "/township/cash",
            "/township/clinics/{clinic}/enrolment_target",
            "/township/dashboard",
            "/township/dashboard.csv",
            "/township/devices",
            "/township/proposals",
            "/township/proposals/{proposal_id}/decision",
            "/township/qualifications/{id}/decision",
            "/township/records",
            "/township/report.csv",
            "/township/review",
            "/township/review/decisions",
            "/township/review/{claim_id}",
            "/township/sampling/{clinic_id}/{month}",
            "/township/sampling/{clinic_id}/{month}/draw",
            "/township/sampling/{clinic_id}/{month}/findings",
            "/township/statements",
            "/township/statements.csv",
            "/township/statements/{clinic_id}/{month}",
            "/township/statements/{clinic_id}/{month}/issue",
            "/township/statements/{clinic_id}/{month}/lines.csv",
            "/township/statements/{clinic_id}/{month}/paid",
            "/township/users",
            "/township/users/{username}",
        ]
    );
    // Every path the description names is served (none answers the JSON 404).
    for path in [
        "/health",
        "/catalogue",
        "/policy",
        "/sync/handshake",
        "/sync/pull",
    ] {
        let (status, _, _) = get(&f.state, &format!("/api/v1{path}")).await;
        assert_ne!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let schemas = &spec["components"]["schemas"];
    // Money and unit prices travel as decimal strings, never floats.
    assert_eq!(schemas["Money"]["type"], "string");
    assert_eq!(schemas["UnitPrice"]["type"], "string");
    assert_eq!(schemas["SignedMoney"]["type"], "string");
    // Statements and cash answer the domain's types; the exports are CSV.
    for (path, method, schema) in [
        (
            "/township/statements/{clinic_id}/{month}",
            "get",
            "Statement",
        ),
        (
            "/township/statements/{clinic_id}/{month}/issue",
            "post",
            "Statement",
        ),
        (
            "/township/statements/{clinic_id}/{month}/paid",
            "post",
            "Statement",
        ),
        ("/township/cash", "post", "CashStanding"),
        ("/clinic/cash", "get", "CashStanding"),
        ("/township/proposals", "post", "Proposal"),
        ("/township/users", "get", "TownshipUsers"),
        (
            "/township/proposals/{proposal_id}/decision",
            "post",
            "ProposalResponse",
        ),
    ] {
        let answer =
            &spec["paths"][path][method]["responses"]["200"]["content"]["application/json"];
        assert_eq!(
            answer["schema"]["$ref"],
            format!("#/components/schemas/{schema}"),
            "{path}"
        );
    }
    for path in [
        "/township/statements.csv",
        "/township/statements/{clinic_id}/{month}/lines.csv",
    ] {
        assert!(
            spec["paths"][path]["get"]["responses"]["200"]["content"]["text/csv"].is_object(),
            "{path}"
        );
    }
    for field in ["payable", "carried"] {
        assert!(schemas["StatementLine"]["properties"][field].is_object());
    }
    assert!(schemas["StatementTotals"]["properties"]["net_payable"].is_object());
    // A refused file's lines are part of the error body; publishing answers the difference.
    assert!(schemas["ApiErrorBody"]["properties"]["lines"].is_object());
    let publication = serde_json::to_string(&schemas["CataloguePublication"]).unwrap();
    for field in ["added", "removed", "changed", "against", "published"] {
        assert!(publication.contains(field), "{field} in {publication}");
    }
    assert!(spec["paths"]["/publish/catalogue"]["post"]["responses"]["409"].is_object());
    // The mutation kinds are described as a tagged union.
    let body = serde_json::to_string(&schemas["MutationBody"]).unwrap();
    for kind in ["enrolment", "contribution", "claim", "void"] {
        assert!(body.contains(&format!("\"{kind}\"")), "{kind} in {body}");
    }
    assert_eq!(
        spec["paths"]["/sync/push"]["post"]["security"][0]["bearer"],
        serde_json::json!([])
    );
    assert!(spec["paths"]["/sync/push"]["post"]["responses"]["413"].is_object());
    // The handshake's report of the device, and the township's device list.
    let handshake = serde_json::to_string(&spec["paths"]["/sync/handshake"]["get"]).unwrap();
    for param in ["\"pending\"", "\"app_version\""] {
        assert!(handshake.contains(param), "{param} in {handshake}");
    }
    assert!(schemas["Handshake"]["properties"]["renewed_token"].is_object());
    for field in [
        "last_sync_at",
        "pending_at_last_sync",
        "app_version",
        "lost_work",
    ] {
        assert!(
            schemas["DeviceRow"]["properties"][field].is_object(),
            "{field}"
        );
    }
}
