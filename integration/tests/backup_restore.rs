//! Backup, more work, restore — with the app's real sync engine against the real server, on
//! SQLite and PostgreSQL, through the same functions `cunbao-server backup` / `restore` run
//! (`server/tests/backup_command.rs` runs the binary itself). After the restore: tablets send
//! again what the backup lacks, nothing is applied twice, no tablet misses a change because the
//! feed's cursors went back, a tablet that signed in after the backup signs in again and its
//! work arrives, and a device revoked after the backup stays revoked (README, "Operations:
//! backup and restore").

#[path = "../../server/tests/common/mod.rs"]
mod common;

use std::cell::RefCell;
use std::path::Path;

use axum::http::Method;
use chrono::NaiveDate;
use common::{Backend, TestServer};
use cunbao_app::storage::memory::MemoryStore;
use cunbao_app::storage::meta::{self, MetaKey};
use cunbao_app::storage::{Store, StoreName};
use cunbao_app::sync::outbox::{self, EntryState};
use cunbao_app::sync::transport::{Api, HttpClient, TransportError};
use cunbao_app::sync::{self, sync_once, SyncError, SyncReport};
use cunbao_domain::id_number::{compose, IdNumber};
use cunbao_domain::policy::Policy;
use cunbao_domain::quantity::Quantity;
use cunbao_domain::sample;
use cunbao_domain::settlement::{Accumulators, LineInput};
use cunbao_domain::sync::{MutationBody, SignInRequest};
use cunbao_server::backup_command::{backup_to, restore_from, Carry, Database};
use cunbao_server::{db, seed, AppState};
use serde_json::Value;

/// The real server, reached in-process; replaced by a new one after the restore.
struct InProcess {
    state: RefCell<AppState>,
}

impl HttpClient for InProcess {
    async fn send(
        &self,
        method: &'static str,
        path: &str,
        token: Option<&str>,
        body: Option<String>,
    ) -> Result<(u16, Value), TransportError> {
        let state = self.state.borrow().clone();
        let (status, json) = common::request(&state, method, path, token, body).await;
        Ok((status.as_u16(), json))
    }
}

struct Tablet {
    store: MemoryStore,
    username: &'static str,
}

impl Tablet {
    async fn signed_in(net: &Api<InProcess>, username: &'static str) -> Tablet {
        let tablet = Tablet {
            store: MemoryStore::new(),
            username,
        };
        tablet.sign_in(net).await;
        tablet
    }

    /// Online sign-in on this tablet (again): a new device on the server.
    async fn sign_in(&self, net: &Api<InProcess>) {
        sync::sign_in(
            &self.store,
            net,
            &SignInRequest {
                username: self.username.into(),
                password: seed::SAMPLE_PASSWORD.into(),
                device_name: format!("{} 平板", self.username),
                tablet_id: None,
                new_password: None,
            },
        )
        .await
        .unwrap();
    }

    async fn device(&self) -> String {
        sync::session(&self.store).await.unwrap().unwrap().device_id
    }

    async fn sync(&self, net: &Api<InProcess>) -> Result<SyncReport, SyncError> {
        sync_once(&self.store, net, 1).await
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

    /// A visit of `who` on `day`, settled on the tablet from the year-to-date figures
    /// `before`; the figures after it.
    async fn settle(
        &self,
        record: &str,
        who: &IdNumber,
        day: u32,
        before: Accumulators,
    ) -> Accumulators {
        let catalogue = sample::catalogue();
        let lines = catalogue.items[..3]
            .iter()
            .map(|item| LineInput::from_item(item, Quantity::whole(3)))
            .collect();
        let body = sample::general_outpatient_claim(
            &Policy::sample_2025(),
            &catalogue.version,
            who.clone(),
            NaiveDate::from_ymd_opt(2025, 3, day).unwrap(),
            lines,
            before,
        );
        let MutationBody::Claim(claim) = &body else {
            unreachable!("a claim")
        };
        let after = claim.settlement.accumulators_after;
        outbox::enqueue(&self.store, record, body, 0).await.unwrap();
        after
    }

    async fn void(&self, claim: &str) {
        let body = MutationBody::Void {
            target_record_id: claim.into(),
            reason: "录入错误".into(),
        };
        outbox::enqueue(&self.store, &format!("void-{claim}"), body, 0)
            .await
            .unwrap();
    }

    /// Outbox entries: (pending, applied, rejected).
    async fn states(&self) -> (usize, usize, usize) {
        let entries = outbox::entries(&self.store).await.unwrap();
        let count = |f: fn(&EntryState) -> bool| entries.iter().filter(|e| f(&e.state)).count();
        (
            count(|s| *s == EntryState::Pending),
            count(|s| matches!(s, EntryState::Applied { .. })),
            count(|s| matches!(s, EntryState::Rejected { .. })),
        )
    }

    async fn enrolments(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .store
            .all(StoreName::Enrolments)
            .await
            .unwrap()
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        ids.sort();
        ids
    }
}

fn person(n: u16) -> IdNumber {
    compose("450325", NaiveDate::from_ymd_opt(1985, 4, 3).unwrap(), n)
}

fn unauthorized(result: Result<SyncReport, SyncError>) -> String {
    match result {
        Err(SyncError::Transport(TransportError::Unauthorized { code, .. })) => code,
        other => panic!("expected 401, got {other:?}"),
    }
}

async fn query_strings(pool: &sqlx::AnyPool, sql: &str) -> Vec<String> {
    sqlx::query_scalar(sql).fetch_all(pool).await.unwrap()
}

async fn count(pool: &sqlx::AnyPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

fn backup_file(dir: &Path, backend: Backend) -> std::path::PathBuf {
    dir.join(match backend {
        Backend::Sqlite => "cunbao-backup.sqlite3",
        Backend::Postgres => "cunbao-backup.dump",
    })
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The whole story: work, an online backup, more work (a second tablet signs in, a lost tablet
/// is revoked, the township pulls past what the backup holds), the server stopped and
/// restored, and every tablet's next sync.
async fn after_a_restore_tablets_recover_and_nothing_is_doubled_or_missed(backend: Backend) {
    let s = TestServer::start(backend).await;
    let database = Database::at(&s.url).unwrap();
    let backups = tempfile::tempdir().unwrap();
    let backup = backup_file(backups.path(), backend);
    let net = Api(InProcess {
        state: RefCell::new(s.state.clone()),
    });

    // Before the backup: clinic A enrols and settles a visit, clinic B works, the township
    // pulls.
    let a = Tablet::signed_in(&net, "lijia").await;
    a.enrol("a-e1", &person(1)).await;
    let after_k1 = a
        .settle("a-k1", &person(1), 2, Accumulators::default())
        .await;
    a.sync(&net).await.unwrap();
    let b = Tablet::signed_in(&net, "daping").await;
    b.enrol("b-e1", &person(2)).await;
    b.sync(&net).await.unwrap();
    let township = Tablet::signed_in(&net, "shenhe").await;
    township.sync(&net).await.unwrap();

    // The backup, taken while the server runs.
    let out = backup_to(&database, &backup).await;
    assert_eq!(out.status, 0, "{out:?}");
    assert!(out.stdout.contains("备份已写入"), "{out:?}");
    #[cfg(unix)]
    assert_eq!(mode(&backup), 0o600);
    let again = backup_to(&database, &backup).await;
    assert_eq!(again.status, 2, "an existing file is never overwritten");

    // After the backup: A settles a second visit of the same person (past the first's
    // year-to-date figures) and enrols another; a second tablet of A's clinic signs in and
    // enrols; B's tablet is lost and revoked; the township pulls all of it.
    a.settle("a-k2", &person(1), 9, after_k1).await;
    a.enrol("a-e2", &person(3)).await;
    a.sync(&net).await.unwrap();
    assert_eq!(a.states().await, (0, 4, 0));
    let c = Tablet::signed_in(&net, "lijia").await;
    c.enrol("c-e1", &person(4)).await;
    c.sync(&net).await.unwrap();
    let (admin, _) = s.sign_in("admin").await;
    let lost = b.device().await;
    let (status, _) = s
        .call(
            Method::POST,
            &format!("/api/v1/devices/{lost}/revoke"),
            Some(&admin),
            None,
        )
        .await;
    assert!(status.is_success());
    let report = township.sync(&net).await.unwrap();
    assert!(report.pulled >= 3, "{report:?}");
    let township_cursor: u64 = meta::get(&township.store, MetaKey::PullCursor)
        .await
        .unwrap()
        .unwrap();
    let k2_before: String = sqlx::query_scalar("SELECT data FROM records WHERE id = 'a-k2'")
        .fetch_one(&s.state.db)
        .await
        .unwrap();
    let old_epoch = db::epoch(&s.state.db).await.unwrap();

    // The server stops; the operator restores the backup.
    let running = restore_from(
        &database,
        &backup,
        Carry::FromReplaced { or_sign_out: true },
    )
    .await;
    assert_eq!(
        running.status, 2,
        "refused while the server runs: {running:?}"
    );
    s.state.db.close().await;
    let out = restore_from(
        &database,
        &backup,
        Carry::FromReplaced { or_sign_out: true },
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    assert!(
        out.stdout.contains(&lost),
        "the revocation is carried over: {}",
        out.stdout
    );
    assert!(
        out.stdout.contains("备份之后登录的 2 台设备"),
        "{}",
        out.stdout
    );
    let pool = db::open(&s.url).await.unwrap();
    let restored = AppState::load(pool.clone(), Default::default())
        .await
        .unwrap();
    *net.0.state.borrow_mut() = restored;
    assert_ne!(db::epoch(&pool).await.unwrap(), old_epoch, "a new epoch");
    assert_eq!(
        count(
            &pool,
            "SELECT COUNT(*) FROM records WHERE id IN ('a-k2', 'a-e2', 'c-e1')"
        )
        .await,
        0,
        "the backup lacks what came after it"
    );

    // A clinic's tablet signs in after the restore and enrols: the restored feed gives the
    // change a cursor the township had already passed.
    let d = Tablet::signed_in(&net, "shimen").await;
    d.enrol("d-e1", &person(5)).await;
    d.sync(&net).await.unwrap();
    let cursor = count(&pool, "SELECT cursor FROM changes WHERE entity_id = 'd-e1'").await;
    assert!(
        cursor as u64 <= township_cursor,
        "{cursor} vs {township_cursor}"
    );

    // A re-sends what the backup lacks, and pulls again from the start.
    let report = a.sync(&net).await.unwrap();
    assert_eq!(
        (report.resent, report.applied, report.rejected),
        (2, 2, 0),
        "{report:?}"
    );
    assert!(report.pulled_again);
    assert_eq!(a.states().await, (0, 4, 0));
    let k2_after: String = sqlx::query_scalar("SELECT data FROM records WHERE id = 'a-k2'")
        .fetch_one(&pool)
        .await
        .unwrap();
    let figures = |data: &str| serde_json::from_str::<Value>(data).unwrap()["settlement"].clone();
    assert_eq!(
        figures(&k2_after),
        figures(&k2_before),
        "settled once, on the first visit's figures"
    );

    // C signed in after the backup: the restored server does not know its token. It signs in
    // again, and its work arrives.
    assert_eq!(unauthorized(c.sync(&net).await), "bad_token");
    assert_eq!(c.states().await, (0, 1, 0), "nothing is lost on the tablet");
    c.sign_in(&net).await;
    let report = c.sync(&net).await.unwrap();
    assert_eq!(
        (report.resent, report.applied, report.rejected),
        (1, 1, 0),
        "{report:?}"
    );
    assert!(report.pulled_again);

    // B was revoked after the backup: it stays revoked.
    assert_eq!(unauthorized(b.sync(&net).await), "device_revoked");

    // The township's cursor was past everything the backup holds; what the restored server
    // wrote since (with cursors the township had passed) still reaches it.
    let report = township.sync(&net).await.unwrap();
    assert!(report.pulled_again, "{report:?}");
    assert_eq!(
        township.enrolments().await,
        ["a-e1", "a-e2", "b-e1", "c-e1", "d-e1"],
        "every enrolment, including those re-sent after the restore"
    );
    // A's other tablet's enrolment, made and re-sent after the restore, reaches A too.
    a.sync(&net).await.unwrap();
    assert!(a.enrolments().await.contains(&"c-e1".to_string()));

    // Nothing doubled: each record once, the claims of person 1 once each.
    let ids = query_strings(
        &pool,
        "SELECT id FROM records WHERE kind IN ('enrolment', 'claim') ORDER BY id",
    )
    .await;
    assert_eq!(
        ids,
        ["a-e1", "a-e2", "a-k1", "a-k2", "b-e1", "c-e1", "d-e1"]
    );
    // Once more: nothing moves.
    let report = a.sync(&net).await.unwrap();
    assert_eq!((report.pushed, report.pulled_again), (0, false));
    pool.close().await;
}

/// A tablet signs in again (a new device, whose sequence starts at 1) with its year's work in
/// the outbox: it sends all of it again, and the server answers "already applied" for what it
/// has — a void too — instead of refusing it, so nothing shows as failed and nothing is
/// applied twice.
async fn a_tablet_signing_in_again_sends_its_work_again_harmlessly(backend: Backend) {
    let s = TestServer::start(backend).await;
    let net = Api(InProcess {
        state: RefCell::new(s.state.clone()),
    });
    let a = Tablet::signed_in(&net, "lijia").await;
    a.enrol("e1", &person(11)).await;
    a.settle("k1", &person(11), 2, Accumulators::default())
        .await;
    a.enrol("e2", &person(11)).await; // a duplicate: refused
    a.void("k1").await;
    a.sync(&net).await.unwrap();
    assert_eq!(a.states().await, (0, 3, 1));
    let records = s.count("SELECT COUNT(*) FROM records").await;
    let changes = s.count("SELECT COUNT(*) FROM changes").await;

    a.sign_in(&net).await;
    a.enrol("e3", &person(12)).await;
    let report = a.sync(&net).await.unwrap();
    assert_eq!(report.resent, 4, "{report:?}");
    assert_eq!((report.applied, report.rejected), (4, 1), "{report:?}");
    assert_eq!(
        a.states().await,
        (0, 4, 1),
        "the same answers as before, and e3"
    );
    assert_eq!(s.count("SELECT COUNT(*) FROM records").await, records + 1);
    assert_eq!(s.count("SELECT COUNT(*) FROM changes").await, changes + 1);
    assert_eq!(
        s.count("SELECT COUNT(*) FROM records WHERE id = 'k1' AND status = 'void'")
            .await,
        1
    );
}

/// The database being replaced is gone (the disk failed): which devices were revoked after
/// the backup cannot be known, so the restore signs every device out. Every tablet signs in
/// again with its password and its work arrives; the revoked tablet's token is of no use.
#[tokio::test]
async fn a_restore_without_the_replaced_database_signs_every_device_out() {
    let s = TestServer::start(Backend::Sqlite).await;
    let database = Database::at(&s.url).unwrap();
    let Database::Sqlite { file } = &database else {
        unreachable!()
    };
    let backups = tempfile::tempdir().unwrap();
    let backup = backup_file(backups.path(), Backend::Sqlite);
    let net = Api(InProcess {
        state: RefCell::new(s.state.clone()),
    });
    let a = Tablet::signed_in(&net, "lijia").await;
    let lost = Tablet::signed_in(&net, "lijia").await;
    a.enrol("e1", &person(21)).await;
    a.sync(&net).await.unwrap();
    assert_eq!(backup_to(&database, &backup).await.status, 0);
    a.enrol("e2", &person(22)).await;
    a.sync(&net).await.unwrap();
    let (admin, _) = s.sign_in("admin").await;
    let (status, _) = s
        .call(
            Method::POST,
            &format!("/api/v1/devices/{}/revoke", lost.device().await),
            Some(&admin),
            None,
        )
        .await;
    assert!(status.is_success());

    s.state.db.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
    let out = restore_from(
        &database,
        &backup,
        Carry::FromReplaced { or_sign_out: true },
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    assert!(out.stdout.contains("已注销全部 2 台设备"), "{}", out.stdout);
    #[cfg(unix)]
    assert_eq!(mode(file), 0o600);
    let pool = db::open(&s.url).await.unwrap();
    *net.0.state.borrow_mut() = AppState::load(pool.clone(), Default::default())
        .await
        .unwrap();

    assert_eq!(unauthorized(lost.sync(&net).await), "bad_token");
    assert_eq!(unauthorized(a.sync(&net).await), "bad_token");
    a.sign_in(&net).await;
    let report = a.sync(&net).await.unwrap();
    assert_eq!(
        (report.resent, report.applied, report.rejected),
        (2, 2, 0),
        "{report:?}"
    );
    assert_eq!(
        query_strings(&pool, "SELECT id FROM records ORDER BY id").await,
        ["e1", "e2"]
    );
    pool.close().await;
}

on_both_databases!(
    after_a_restore_tablets_recover_and_nothing_is_doubled_or_missed,
    a_tablet_signing_in_again_sends_its_work_again_harmlessly,
);
