//! A request its client gives up on (a tablet on 2G hangs up, a page moves on) still runs to
//! its end on the server: its transaction commits or rolls back, and is never left open on a
//! pooled connection. Such a connection held SQLite's write lock, and every write after it
//! failed with "database is locked" (or "begin_with at non-zero transaction depth").

mod common;

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Waker};
use std::time::Duration;

use axum::http::{Method, StatusCode};
use common::{Backend, TestServer};
use cunbao_server::seed;
use cunbao_server::write_tx::Writers;
use sqlx::Connection;

fn sign_in_body(device: &str) -> serde_json::Value {
    serde_json::json!({
        "username": "lijia",
        "password": seed::SAMPLE_PASSWORD,
        "device_name": device,
    })
}

#[tokio::test]
async fn a_sign_in_given_up_while_it_waits_for_the_write_lock_leaves_the_database_writable() {
    let s = TestServer::start(Backend::Sqlite).await;
    // Another process holds the write lock (a backup, a second server, the command line).
    let mut other = sqlx::AnyConnection::connect(&s.url).await.unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut other)
        .await
        .unwrap();

    // A tablet signs in, and gives up while the server waits for the lock.
    let given_up = tokio::time::timeout(
        Duration::from_millis(500),
        s.call(
            Method::POST,
            "/api/v1/auth/sign-in",
            None,
            Some(sign_in_body("放弃的平板")),
        ),
    )
    .await;
    assert!(given_up.is_err(), "the sign-in waited for the write lock");
    sqlx::query("ROLLBACK").execute(&mut other).await.unwrap();
    other.close().await.unwrap();

    // Every sign-in after it is answered at once, on whichever pooled connection it gets
    // (more of them than the pool holds).
    for n in 0..6 {
        let (status, body) = tokio::time::timeout(
            Duration::from_secs(5),
            s.call(
                Method::POST,
                "/api/v1/auth/sign-in",
                None,
                Some(sign_in_body(&format!("平板 {n}"))),
            ),
        )
        .await
        .unwrap_or_else(|_| panic!("sign-in {n} was not answered within 5 s"));
        assert_eq!(status, StatusCode::OK, "sign-in {n}: {body}");
    }
}

/// A writer's start given up at every moment of it (polled, then dropped after a pause that
/// grows from nothing to past the whole `BEGIN`): each time, the next writer begins and
/// commits at once — no transaction was left open holding the write lock.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_transaction_given_up_while_it_begins_never_keeps_the_write_lock() {
    given_up_while_beginning(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_transaction_given_up_while_it_begins_never_keeps_a_postgres_connection_busy() {
    given_up_while_beginning(Backend::Postgres).await;
}

async fn given_up_while_beginning(backend: Backend) {
    let s = TestServer::start(backend).await;
    let writers = Writers::for_pool(&s.state.db);
    let mut cx = Context::from_waker(Waker::noop());
    // Four passes: where the moment falls varies from run to run.
    for pause_us in (0..4).flat_map(|_| (0..600).step_by(5)) {
        {
            let mut begin = pin!(writers.begin(&s.state.db));
            if begin.as_mut().poll(&mut cx).is_pending() {
                std::thread::sleep(Duration::from_micros(pause_us));
                let _ = begin.as_mut().poll(&mut cx);
            }
            // Given up here, at whatever point it had reached (a transaction begun by then is
            // dropped with it).
        }
        let next = tokio::time::timeout(Duration::from_secs(3), async {
            writers.begin(&s.state.db).await?.commit().await
        })
        .await
        .unwrap_or_else(|_| panic!("given up after {pause_us} µs: the next writer waited 3 s"));
        if let Err(e) = next {
            panic!("given up after {pause_us} µs: the next writer failed: {e}");
        }
    }
}
