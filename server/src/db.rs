//! The server database. SQLite by default (one file in the data directory, nothing to
//! install); PostgreSQL when `DATABASE_URL=postgres://…`. Both are reached through `sqlx::Any`
//! with portable SQL, so one implementation and one test suite serve both. Migrations are
//! embedded and run at start.

use std::path::Path;

use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("无法创建数据目录 / cannot create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("无法打开数据库 / cannot open the database {url}: {source}")]
    Open { url: String, source: sqlx::Error },
    #[error("数据库迁移失败 / database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("数据库错误 / database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("无法发布随附的政策与目录 / cannot publish the shipped policy and catalogue: {0}")]
    Publish(String),
}

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Where the database is: `DATABASE_URL` if set, else `cunbao.sqlite3` in the data directory
/// (the directory created 0700 and the file 0600 on Unix: see [`crate::private_files`]).
pub fn url_for(database_url: Option<&str>, data_dir: &Path) -> Result<String, DbError> {
    if let Some(url) = database_url {
        return Ok(url.to_string());
    }
    let file = sqlite_file(data_dir);
    crate::private_files::create_dir(data_dir)
        .and_then(|()| crate::private_files::database_file(&file))
        .map_err(|source| DbError::DataDir {
            path: data_dir.display().to_string(),
            source,
        })?;
    Ok(format!("sqlite://{}?mode=rwc", file.display()))
}

/// The SQLite database file in the data directory.
pub fn sqlite_file(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("cunbao.sqlite3")
}

/// Opens the database at `url` and brings its schema up to date.
pub async fn open(url: &str) -> Result<AnyPool, DbError> {
    install_default_drivers();
    let sqlite = url.starts_with("sqlite:");
    let pool = AnyPoolOptions::new()
        .max_connections(if sqlite { 4 } else { 10 })
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if sqlite {
                    // WAL for concurrent readers; FULL: an acknowledged commit survives a power
                    // cut; wait rather than fail when another connection holds the write lock.
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = FULL").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    // The write-ahead log is copied into the database by a task of its own
                    // ([`checkpoint_in_background`]), not by whichever commit finds it long:
                    // a push is not kept waiting for it. The limit here is only a backstop.
                    conn.execute("PRAGMA wal_autocheckpoint = 8000").await?;
                }
                Ok(())
            })
        })
        .connect(url)
        .await
        .map_err(|source| DbError::Open {
            url: redact(url),
            source,
        })?;
    MIGRATOR.run(&pool).await?;
    ensure_epoch(&pool).await?;
    crate::published::ensure_shipped(&pool)
        .await
        .map_err(|e| DbError::Publish(e.to_string()))?;
    Ok(pool)
}

/// How often the write-ahead log is copied into the database.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

/// Copies SQLite's write-ahead log into the database file every [`CHECKPOINT_EVERY`]: a
/// passive checkpoint, which never waits for, nor holds up, readers or a writer, and does
/// nothing when the log holds nothing new. Runs for as long as the server does; nothing for
/// PostgreSQL.
pub async fn checkpoint_in_background(db: AnyPool, url: String) {
    if !url.starts_with("sqlite:") {
        return;
    }
    let mut every = tokio::time::interval(CHECKPOINT_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if let Err(err) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&db)
            .await
        {
            tracing::warn!(%err, "write-ahead log checkpoint failed");
        }
    }
}

/// Opens the SQLite database in `data_dir` (tests and the default configuration).
pub async fn open_sqlite(data_dir: &Path) -> Result<AnyPool, DbError> {
    open(&url_for(None, data_dir)?).await
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}://…{}", &url[..scheme], &url[at..]),
        _ => url.to_string(),
    }
}

/// Generates the database's epoch the first time it starts (see migration 0001).
async fn ensure_epoch(pool: &AnyPool) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO server_meta (key, value) VALUES ('epoch', $1) ON CONFLICT (key) DO NOTHING",
    )
    .bind(crate::auth::random_hex(16))
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn epoch(pool: &AnyPool) -> Result<String, sqlx::Error> {
    sqlx::query_scalar("SELECT value FROM server_meta WHERE key = 'epoch'")
        .fetch_one(pool)
        .await
}

pub async fn migrations_applied(pool: &AnyPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = TRUE")
        .fetch_one(pool)
        .await
}

/// Begins a write transaction ([`crate::write_tx`]): correct with any number of server
/// processes on one database.
pub async fn begin_write(pool: &AnyPool) -> Result<crate::write_tx::Tx<'static>, sqlx::Error> {
    crate::write_tx::Tx::begin(pool).await
}

/// Opens the database the server's configuration names (`CUNBAO_DATA_DIR`, `DATABASE_URL`),
/// for the command-line tools.
pub async fn open_configured() -> Result<AnyPool, String> {
    let config = crate::config::Config::from_env()?;
    let url =
        url_for(config.database_url.as_deref(), &config.data_dir).map_err(|e| e.to_string())?;
    open(&url).await.map_err(|e| e.to_string())
}
