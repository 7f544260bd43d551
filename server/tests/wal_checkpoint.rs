//! SQLite's write-ahead log is copied into the database file by a task of its own, not by the
//! commit that finds the log long (which kept a push waiting for it): without the task, what
//! is committed stays in the log; with it, it reaches the database file within moments, and
//! every row committed is there.

use std::time::{Duration, Instant};

use cunbao_server::db;

fn main_file_len(dir: &std::path::Path) -> u64 {
    std::fs::metadata(db::sqlite_file(dir)).unwrap().len()
}

#[tokio::test]
async fn the_write_ahead_log_is_copied_into_the_database_by_the_background_task() {
    let dir = tempfile::tempdir().unwrap();
    let url = db::url_for(None, dir.path()).unwrap();
    let pool = db::open(&url).await.unwrap();
    sqlx::query("CREATE TABLE filler (id INTEGER PRIMARY KEY, data TEXT NOT NULL)")
        .execute(&pool)
        .await
        .unwrap();
    // Whatever the opening wrote is in the database file first.
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&pool)
        .await
        .unwrap();
    let before = main_file_len(dir.path());

    // About 2 MB committed in 20 transactions: well under the backstop limit, so no commit
    // copies it on its own.
    let text = "村".repeat(1_000);
    for _ in 0..20 {
        let mut tx = pool.begin().await.unwrap();
        for _ in 0..35 {
            sqlx::query("INSERT INTO filler (data) VALUES ($1)")
                .bind(&text)
                .execute(&mut *tx)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        main_file_len(dir.path()),
        before,
        "without the task, the commits stay in the log"
    );

    let task = tokio::spawn(db::checkpoint_in_background(pool.clone(), url.clone()));
    let deadline = Instant::now() + Duration::from_secs(5);
    while main_file_len(dir.path()) < before + 2_000_000 {
        assert!(
            Instant::now() < deadline,
            "the log was not copied into the database file: {} bytes",
            main_file_len(dir.path())
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    task.abort();
    pool.close().await;

    // Every committed row is kept.
    let pool = db::open(&url).await.unwrap();
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM filler WHERE data = $1")
        .bind(&text)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(rows, 700);
}
