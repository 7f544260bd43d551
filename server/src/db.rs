//! The server database: one SQLite file in the data directory, migrations embedded and run at
//! start.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("无法创建数据目录 / cannot create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("无法打开数据库 / cannot open the database {path}: {source}")]
    Open { path: String, source: sqlx::Error },
    #[error("数据库迁移失败 / database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("数据库错误 / database error: {0}")]
    Sql(#[from] sqlx::Error),
}

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Opens (creating if needed) `cunbao.sqlite3` in `data_dir` and brings its schema up to date.
pub async fn open(data_dir: &Path) -> Result<SqlitePool, DbError> {
    std::fs::create_dir_all(data_dir).map_err(|source| DbError::DataDir {
        path: data_dir.display().to_string(),
        source,
    })?;
    let path = data_dir.join("cunbao.sqlite3");
    let options = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // FULL: a commit the server acknowledged survives a power cut.
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .map_err(|source| DbError::Open {
            path: path.display().to_string(),
            source,
        })?;
    MIGRATOR.run(&pool).await?;
    ensure_epoch(&pool).await?;
    Ok(pool)
}

/// Generates the database's epoch the first time it starts (see the migration's comment).
async fn ensure_epoch(pool: &SqlitePool) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT OR IGNORE INTO server_meta (key, value) \
         VALUES ('epoch', lower(hex(randomblob(16))))",
    )
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn migrations_applied(pool: &SqlitePool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = 1")
        .fetch_one(pool)
        .await
}
