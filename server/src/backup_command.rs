//! `cunbao-server backup DEST` and `cunbao-server restore SRC`, for the database the server's
//! configuration names (`CUNBAO_DATA_DIR`, `DATABASE_URL`).
//!
//! SQLite: the backup is `VACUUM INTO` a new private file, a consistent copy taken while the
//! server runs. The restore (server stopped) copies the backup beside the database, gives it a
//! new epoch and carries over the revocations of the database it replaces, writes it out whole
//! (`VACUUM INTO`) and moves that into place, removing stale `-wal`/`-shm` files.
//! PostgreSQL: the same through `pg_dump -Fc` and `pg_restore --clean --single-transaction`.
//!
//! What a restore means for tablets, revocations and pull cursors is in the README
//! ("Operations: backup and restore").

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use sqlx::{AnyConnection, AnyPool, Connection, Row};

use crate::{db, private_files};

pub const USAGE: &str = "\
    cunbao-server backup DEST   数据库的在线一致备份，写入新文件 DEST（不覆盖已有文件）
                                an online, consistent copy of the database into the new file
                                DEST (SQLite: VACUUM INTO; PostgreSQL: pg_dump -Fc)
    cunbao-server restore SRC [--sign-out-all | --keep-sign-ins]
                                先停止所有服务器进程，再用备份 SRC 替换数据库；服务器随后
                                宣布新纪元，平板重新发送备份中缺少的数据（见 README）
                                with every server process stopped: replace the database with
                                the backup SRC; the server then announces a new epoch and
                                tablets send again what the backup lacks (README, \"Operations:
                                backup and restore\")
";

/// The database to back up or restore: the one the configuration names
/// ([`Database::configured`]), or one given by its URL (tests).
#[derive(Debug, Clone)]
pub enum Database {
    Sqlite { file: PathBuf },
    Postgres { url: String },
}

impl Database {
    pub fn configured() -> Result<Database, String> {
        let config = crate::config::Config::from_env()?;
        match config.database_url {
            Some(url) => Database::at(&url),
            None => Ok(Database::Sqlite {
                file: db::sqlite_file(&config.data_dir),
            }),
        }
    }

    /// `postgres://…`, or `sqlite://FILE[?…]`.
    pub fn at(url: &str) -> Result<Database, String> {
        if url.starts_with("postgres") {
            return Ok(Database::Postgres {
                url: url.to_string(),
            });
        }
        match url.strip_prefix("sqlite://") {
            Some(rest) => Ok(Database::Sqlite {
                file: PathBuf::from(rest.split('?').next().unwrap_or(rest)),
            }),
            None => Err(format!(
                "备份与恢复只支持 SQLite 或 PostgreSQL / backup and restore support SQLite or \
                 PostgreSQL, not {}",
                url.split(':').next().unwrap_or_default()
            )),
        }
    }
}

/// What a command printed, and its exit status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    fn ok(stdout: String) -> Outcome {
        Outcome {
            status: 0,
            stdout,
            stderr: String::new(),
        }
    }

    fn err(status: i32, stderr: String) -> Outcome {
        Outcome {
            status,
            stdout: String::new(),
            stderr,
        }
    }

    fn print(self) -> i32 {
        print!("{}", self.stdout);
        eprint!("{}", self.stderr);
        self.status
    }
}

/// `backup DEST`.
pub async fn backup(args: &[String]) -> i32 {
    let [dest] = args else {
        eprint!("{USAGE}");
        return 2;
    };
    match Database::configured() {
        Ok(database) => backup_to(&database, Path::new(dest)).await.print(),
        Err(message) => {
            eprintln!("{message}");
            2
        }
    }
}

/// Backs `database` up into the new file `dest`.
pub async fn backup_to(database: &Database, dest: &Path) -> Outcome {
    if let Database::Sqlite { file } = database {
        if !file.is_file() {
            return Outcome::err(
                2,
                format!(
                    "没有数据库 {0}（请检查 CUNBAO_DATA_DIR）\nThere is no database at {0} \
                     (check CUNBAO_DATA_DIR)\n",
                    file.display()
                ),
            );
        }
    }
    // Made here, private, and never over an existing file.
    if let Err(err) = private_files::create_new(dest) {
        let message = if err.kind() == std::io::ErrorKind::AlreadyExists {
            format!(
                "{0} 已存在，不会覆盖；请另选文件名\n{0} already exists and is not \
                 overwritten; choose another name\n",
                dest.display()
            )
        } else {
            format!("无法创建 / cannot create {}: {err}\n", dest.display())
        };
        return Outcome::err(2, message);
    }
    let outcome = match database {
        Database::Sqlite { file } => backup_sqlite(file, dest).await,
        Database::Postgres { url } => backup_postgres(url, dest).await,
    };
    match outcome {
        Ok(held) => Outcome::ok(format!(
            "备份已写入 {0}：{1}\nBackup written to {0}: {2}\n",
            dest.display(),
            held.zh(),
            held.en()
        )),
        Err(message) => {
            let _ = std::fs::remove_file(dest);
            Outcome::err(1, format!("备份失败 / backup failed: {message}\n"))
        }
    }
}

/// What a database holds, as the commands report it.
struct Held {
    epoch: String,
    devices: i64,
    records: i64,
    audit_entries: i64,
    newest_entry: Option<String>,
}

impl Held {
    fn zh(&self) -> String {
        format!(
            "纪元 {}，{} 台设备，{} 条业务记录，{} 条审计记录（最新一条于 {}）",
            self.epoch,
            self.devices,
            self.records,
            self.audit_entries,
            self.newest_entry.as_deref().unwrap_or("—")
        )
    }

    fn en(&self) -> String {
        format!(
            "epoch {}, {} devices, {} records, {} audit entries (the newest at {})",
            self.epoch,
            self.devices,
            self.records,
            self.audit_entries,
            self.newest_entry.as_deref().unwrap_or("—")
        )
    }
}

async fn held(conn: &mut AnyConnection) -> Result<Held, sqlx::Error> {
    let count = |table: &str| format!("SELECT COUNT(*) FROM {table}");
    Ok(Held {
        epoch: sqlx::query_scalar("SELECT value FROM server_meta WHERE key = 'epoch'")
            .fetch_one(&mut *conn)
            .await?,
        devices: sqlx::query_scalar(&count("devices"))
            .fetch_one(&mut *conn)
            .await?,
        records: sqlx::query_scalar(&count("records"))
            .fetch_one(&mut *conn)
            .await?,
        audit_entries: sqlx::query_scalar(&count("audit_log"))
            .fetch_one(&mut *conn)
            .await?,
        newest_entry: sqlx::query_scalar("SELECT at FROM audit_log ORDER BY id DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?,
    })
}

/// A connection to an existing SQLite file (never creating one), waiting up to `busy` for a
/// lock.
async fn sqlite_connection(file: &Path, busy: Duration) -> Result<AnyConnection, sqlx::Error> {
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(&format!("sqlite://{}?mode=rw", file.display())).await?;
    sqlx::query(&format!("PRAGMA busy_timeout = {}", busy.as_millis()))
        .execute(&mut conn)
        .await?;
    Ok(conn)
}

async fn postgres_connection(url: &str) -> Result<AnyConnection, sqlx::Error> {
    sqlx::any::install_default_drivers();
    AnyConnection::connect(url).await
}

const WAIT: Duration = Duration::from_secs(10);

async fn backup_sqlite(file: &Path, dest: &Path) -> Result<Held, String> {
    let text = |e: sqlx::Error| e.to_string();
    let mut conn = sqlite_connection(file, WAIT).await.map_err(text)?;
    // One read transaction: a consistent copy while the server goes on writing.
    let dest_name = dest.to_str().ok_or("the file name is not UTF-8")?;
    sqlx::query("VACUUM INTO $1")
        .bind(dest_name)
        .execute(&mut conn)
        .await
        .map_err(text)?;
    conn.close().await.map_err(text)?;
    // Checked as a restore would read it; one self-contained file (no -wal).
    let mut copy = sqlite_connection(dest, WAIT).await.map_err(text)?;
    let check = quick_check(&mut copy).await.map_err(text)?;
    if check != "ok" {
        return Err(format!("the copy does not pass quick_check: {check}"));
    }
    sqlx::query("PRAGMA journal_mode = DELETE")
        .execute(&mut copy)
        .await
        .map_err(text)?;
    let held = held(&mut copy).await;
    copy.close().await.map_err(text)?;
    private_files::restrict(dest).map_err(|e| e.to_string())?;
    held.map_err(text)
}

async fn quick_check(conn: &mut AnyConnection) -> Result<String, sqlx::Error> {
    sqlx::query_scalar("PRAGMA quick_check")
        .fetch_one(conn)
        .await
}

async fn backup_postgres(url: &str, dest: &Path) -> Result<Held, String> {
    let mut conn = postgres_connection(url).await.map_err(|e| e.to_string())?;
    let held = held(&mut conn).await.map_err(|e| e.to_string());
    let _ = conn.close().await;
    let held = held?;
    let mut dump = pg_command("pg_dump", url)?;
    dump.arg("--format=custom").arg("--file").arg(dest);
    run(dump)?;
    // Readable by pg_restore, as a restore will read it.
    let entries = dump_entries(dest)?;
    if !entries.iter().any(|e| e.is_table("server_meta")) {
        return Err("pg_restore --list does not find the table server_meta in the dump".into());
    }
    Ok(held)
}

/// `restore SRC [--sign-out-all | --keep-sign-ins]`.
pub async fn restore(args: &[String]) -> i32 {
    let (src, carry) = match args {
        [src] => (src, Carry::FromReplaced { or_sign_out: true }),
        [src, flag] | [flag, src] if flag == "--sign-out-all" => (src, Carry::SignOutAll),
        [src, flag] | [flag, src] if flag == "--keep-sign-ins" => {
            (src, Carry::FromReplaced { or_sign_out: false })
        }
        _ => {
            eprint!("{USAGE}");
            return 2;
        }
    };
    match Database::configured() {
        Ok(database) => restore_from(&database, Path::new(src), carry).await.print(),
        Err(message) => {
            eprintln!("{message}");
            2
        }
    }
}

/// Replaces `database` with the backup `src`.
pub async fn restore_from(database: &Database, src: &Path, carry: Carry) -> Outcome {
    if !src.is_file() {
        return Outcome::err(
            2,
            format!(
                "没有备份文件 {0}\nThere is no backup file {0}\n",
                src.display()
            ),
        );
    }
    let outcome = match database {
        Database::Sqlite { file } => restore_sqlite(file, src, carry).await,
        Database::Postgres { url } => restore_postgres(url, src, carry).await,
    };
    match outcome {
        Ok(report) => Outcome::ok(report.text(src)),
        Err(Failure::Refused(message)) => Outcome::err(2, format!("{message}\n")),
        Err(Failure::Failed(message)) => {
            Outcome::err(1, format!("恢复失败 / restore failed: {message}\n"))
        }
    }
}

/// What to do about revocations and sign-ins made after the backup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carry {
    /// Revoke in the restored copy every device the replaced database has revoked; if that
    /// database cannot be read, sign out every device (`or_sign_out`, the default) or keep
    /// every sign-in (`--keep-sign-ins`).
    FromReplaced { or_sign_out: bool },
    /// Invalidate every device's token: every tablet signs in again online.
    SignOutAll,
}

enum Failure {
    /// Nothing was changed.
    Refused(String),
    Failed(String),
}

impl From<sqlx::Error> for Failure {
    fn from(e: sqlx::Error) -> Failure {
        Failure::Failed(e.to_string())
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        Failure::Failed(e.to_string())
    }
}

/// What the database being replaced held that matters to the restored copy.
#[derive(Debug, Default)]
struct Replaced {
    /// Revoked devices: id, when.
    revoked: Vec<(String, String)>,
    /// Every device id.
    devices: Vec<String>,
    /// Published catalogue and policy versions: kind, version.
    published: Vec<(String, String)>,
    /// Every device's tokens, renewed since the backup perhaps: carried over, so that a
    /// tablet is not refused the token it holds.
    tokens: Vec<DeviceTokens>,
}

/// A device's tokens as the replaced database holds them (migration 0005).
#[derive(Debug)]
struct DeviceTokens {
    id: String,
    token_hash: String,
    token_issued_at: Option<String>,
    expires_at: Option<String>,
    previous_token_hash: Option<String>,
    previous_expires_at: Option<String>,
}

/// Every device's tokens; none from a database older than token renewal (its tokens were
/// never renewed, so the backup holds them as they are).
async fn tokens_from(conn: &mut AnyConnection) -> Vec<DeviceTokens> {
    let rows = sqlx::query(
        "SELECT id, token_hash, token_issued_at, expires_at, previous_token_hash, \
         previous_expires_at FROM devices WHERE revoked_at IS NULL",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap_or_default();
    rows.iter()
        .filter_map(|row| {
            Some(DeviceTokens {
                id: row.try_get("id").ok()?,
                token_hash: row.try_get("token_hash").ok()?,
                token_issued_at: row.try_get("token_issued_at").ok()?,
                expires_at: row.try_get("expires_at").ok()?,
                previous_token_hash: row.try_get("previous_token_hash").ok()?,
                previous_expires_at: row.try_get("previous_expires_at").ok()?,
            })
        })
        .collect()
}

async fn replaced_from(conn: &mut AnyConnection) -> Result<Replaced, sqlx::Error> {
    let revoked = sqlx::query("SELECT id, revoked_at FROM devices WHERE revoked_at IS NOT NULL")
        .fetch_all(&mut *conn)
        .await?;
    let published = sqlx::query("SELECT kind, version FROM published_versions")
        .fetch_all(&mut *conn)
        .await?;
    Ok(Replaced {
        revoked: pairs(&revoked)?,
        devices: sqlx::query_scalar("SELECT id FROM devices")
            .fetch_all(&mut *conn)
            .await?,
        published: pairs(&published)?,
        tokens: tokens_from(conn).await,
    })
}

/// The first two columns of each row, as text.
fn pairs(rows: &[sqlx::any::AnyRow]) -> Result<Vec<(String, String)>, sqlx::Error> {
    rows.iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .collect()
}

/// What the restore did, for the operator.
struct Report {
    backup: Held,
    epoch: String,
    /// The replaced database's revocations applied to the restored copy.
    revoked: Vec<String>,
    /// The replaced database could not be read (missing or damaged).
    replaced_unread: bool,
    signed_out: Option<u64>,
    /// Devices of the replaced database the backup does not know (signed in after it).
    later_devices: usize,
    /// Published versions the backup lacks: re-publish them.
    lacking: Vec<(String, String)>,
}

impl Report {
    fn text(&self, src: &Path) -> String {
        let newest = self.backup.newest_entry.as_deref().unwrap_or("—");
        let mut zh = format!(
            "已用备份 {} 恢复数据库（备份中最新的审计记录于 {newest}）。\n新纪元 {}：平板下次同步时\
             发现服务器已恢复，重新发送备份中缺少的数据，并从头重新拉取变更。\n",
            src.display(),
            self.epoch
        );
        let mut en = format!(
            "The database was restored from {} (the backup's newest audit entry is from \
             {newest}).\nNew epoch {}: at their next sync tablets find the server restored, send \
             again what the backup lacks and pull every change again.\n",
            src.display(),
            self.epoch
        );
        if !self.revoked.is_empty() {
            zh += &format!(
                "被替换的数据库中已停用、备份中仍有效的设备，已重新停用：{}\n",
                self.revoked.join(", ")
            );
            en += &format!(
                "Devices revoked in the replaced database but not in the backup, revoked \
                 again: {}\n",
                self.revoked.join(", ")
            );
        }
        if self.later_devices > 0 {
            zh += &format!(
                "备份之后登录的 {} 台设备须重新联网登录；其未同步的数据随后发送。\n",
                self.later_devices
            );
            en += &format!(
                "{} devices signed in after the backup must sign in again online; their work \
                 is sent after that.\n",
                self.later_devices
            );
        }
        if self.replaced_unread {
            zh += "无法读取被替换的数据库，不知道备份之后停用了哪些设备。\n";
            en += "The replaced database could not be read: which devices were revoked after \
                   the backup is unknown.\n";
        }
        match self.signed_out {
            Some(n) => {
                zh += &format!(
                    "已注销全部 {n} 台设备：每台平板须用密码重新联网登录（已停用的设备无法再使用）。\n"
                );
                en += &format!(
                    "All {n} devices were signed out: every tablet signs in again online with \
                     its password (a revoked device's token is of no use any more).\n"
                );
            }
            None if self.replaced_unread => {
                zh += &format!("设备登录保持有效：请重新停用 {newest} 之后停用过的每台设备。\n");
                en += &format!(
                    "Sign-ins were kept: revoke again every device revoked after {newest}.\n"
                );
            }
            None => {}
        }
        if !self.lacking.is_empty() {
            let list = self
                .lacking
                .iter()
                .map(|(kind, version)| format!("{kind} {version}"))
                .collect::<Vec<_>>()
                .join(", ");
            zh += &format!("备份中缺少以下已发布版本，请用原文件重新发布：{list}\n");
            en += &format!(
                "The backup lacks these published versions; publish them again from their \
                 files: {list}\n"
            );
        }
        zh += &format!(
            "请重做 {newest} 之后乡镇所做的审批（慢病资格的批准或驳回），然后启动服务器。\n"
        );
        en += &format!(
            "Redo the township's decisions made after {newest} (chronic qualifications approved \
             or rejected), then start the server.\n"
        );
        format!("{zh}{en}")
    }
}

/// Gives the restored copy a new epoch, carries over revocations or signs every device out,
/// and records the restore in the audit log.
async fn finalise(
    pool: &AnyPool,
    src: &Path,
    carry: Carry,
    replaced: Option<&Replaced>,
) -> Result<Report, sqlx::Error> {
    let backup = held(&mut *pool.acquire().await?).await?;
    let epoch = crate::auth::random_hex(16);
    let mut tx = db::begin_write(pool).await?;
    sqlx::query("UPDATE server_meta SET value = $1 WHERE key = 'epoch'")
        .bind(&epoch)
        .execute(&mut *tx)
        .await?;
    let mut revoked = Vec::new();
    for (device, at) in replaced.map(|r| r.revoked.as_slice()).unwrap_or_default() {
        let done =
            sqlx::query("UPDATE devices SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(at)
                .bind(device)
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() > 0 {
            revoked.push(device.clone());
        }
    }
    // Tokens renewed after the backup: the tablets hold the renewed ones.
    for tokens in replaced.map(|r| r.tokens.as_slice()).unwrap_or_default() {
        sqlx::query(
            "UPDATE devices SET token_hash = $1, token_issued_at = $2, expires_at = $3, \
             previous_token_hash = $4, previous_expires_at = $5 \
             WHERE id = $6 AND revoked_at IS NULL",
        )
        .bind(&tokens.token_hash)
        .bind(&tokens.token_issued_at)
        .bind(&tokens.expires_at)
        .bind(&tokens.previous_token_hash)
        .bind(&tokens.previous_expires_at)
        .bind(&tokens.id)
        .execute(&mut *tx)
        .await?;
    }
    let sign_out = match carry {
        Carry::SignOutAll => true,
        Carry::FromReplaced { or_sign_out } => or_sign_out && replaced.is_none(),
    };
    let signed_out = if sign_out {
        // No token hashes to this (a SHA-256 is hexadecimal): every device must sign in again.
        let done = sqlx::query(
            "UPDATE devices SET token_hash = 'signed-out-by-restore:' || id, \
             previous_token_hash = NULL, previous_expires_at = NULL \
             WHERE token_hash NOT LIKE 'signed-out-by-restore:%'",
        )
        .execute(&mut *tx)
        .await?;
        Some(done.rows_affected())
    } else {
        None
    };
    let (later_devices, lacking) = match replaced {
        Some(replaced) => {
            let known: std::collections::HashSet<String> =
                sqlx::query_scalar("SELECT id FROM devices")
                    .fetch_all(&mut *tx)
                    .await?
                    .into_iter()
                    .collect();
            let rows = sqlx::query("SELECT kind, version FROM published_versions")
                .fetch_all(&mut *tx)
                .await?;
            let published: std::collections::HashSet<(String, String)> =
                pairs(&rows)?.into_iter().collect();
            (
                replaced
                    .devices
                    .iter()
                    .filter(|d| !known.contains(*d))
                    .count(),
                replaced
                    .published
                    .iter()
                    .filter(|p| !published.contains(*p))
                    .cloned()
                    .collect(),
            )
        }
        None => (0, Vec::new()),
    };
    let operator = crate::publishing::Publisher::console().username;
    tx.audit(crate::audit::AuditEntry {
        username: &operator,
        device_id: None,
        action: "restore",
        subject: &epoch,
        detail: &serde_json::json!({
            "backup": src.file_name().map(|n| n.to_string_lossy()),
            "backup_epoch": backup.epoch,
            "backup_newest_entry": backup.newest_entry,
            "revoked_again": revoked,
            "signed_out": signed_out,
        }),
    });
    tx.commit().await?;
    Ok(Report {
        backup,
        epoch,
        revoked,
        replaced_unread: replaced.is_none(),
        signed_out,
        later_devices,
        lacking,
    })
}

fn in_use_sqlite(file: &Path) -> Failure {
    Failure::Refused(format!(
        "数据库 {0} 正在使用中：请先停止服务器（以及其他打开它的程序）再恢复\n\
         The database {0} is in use: stop the server (and anything else that has it open) \
         before restoring",
        file.display()
    ))
}

/// The database about to be replaced: refused if anything has it open; its revocations, or
/// `None` if it does not exist.
async fn replaced_sqlite(file: &Path) -> Result<Option<Replaced>, Failure> {
    if !file.exists() {
        return Ok(None);
    }
    let damaged = |e: &dyn std::fmt::Display| {
        Failure::Refused(format!(
            "无法读取当前数据库 {0}（{e}）。若它已损坏：停止服务器，把它（及 -wal、-shm 文件）\
             移到别处，再运行恢复；届时所有设备都将被注销。\nThe current database {0} cannot \
             be read ({e}). If it is damaged: stop the server, move it (and its -wal and -shm \
             files) elsewhere and run restore again; every device will then be signed out.",
            file.display()
        ))
    };
    let mut conn = sqlite_connection(file, Duration::ZERO)
        .await
        .map_err(|e| damaged(&e))?;
    // Leaving WAL mode needs the only connection to the file: a running server (any open
    // connection) makes it fail. It also folds a crashed server's WAL into the file.
    match leave_wal(&mut conn).await {
        Ok(true) => {}
        Ok(false) => return Err(in_use_sqlite(file)),
        Err(e) => return Err(damaged(&e)),
    }
    let tables: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('devices', \
         'published_versions')",
    )
    .fetch_one(&mut conn)
    .await
    .map_err(|e| damaged(&e))?;
    let replaced = if tables == 2 {
        replaced_from(&mut conn).await.map_err(|e| damaged(&e))?
    } else {
        Replaced::default()
    };
    conn.close().await.map_err(|e| damaged(&e))?;
    Ok(Some(replaced))
}

/// Switches the file to a rollback journal (checkpointing and removing its WAL): false if
/// another connection has it open. A connection that has just been closed may take a moment
/// to let go: tried for about 10 s.
async fn leave_wal(conn: &mut AnyConnection) -> Result<bool, sqlx::Error> {
    // A connection just closed may take a moment to let go of the file on a busy machine.
    for _ in 0..70 {
        let mode: Result<String, _> = sqlx::query_scalar("PRAGMA journal_mode = DELETE")
            .fetch_one(&mut *conn)
            .await;
        match mode {
            Ok(mode) if mode == "delete" => return Ok(true),
            Ok(_) => {}
            Err(sqlx::Error::Database(e)) if e.message().contains("locked") => {}
            Err(e) => return Err(e),
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    Ok(false)
}

fn sibling(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

async fn restore_sqlite(file: &Path, src: &Path, carry: Carry) -> Result<Report, Failure> {
    let dir = file.parent().unwrap_or(Path::new("."));
    private_files::create_dir(dir)?;
    // The backup is copied, checked and finalised beside the database as `.restoring`, then
    // written out whole (`VACUUM INTO`) as `.restored`, which is moved into place in one step.
    let staged = sibling(file, ".restoring");
    let restored = sibling(file, ".restored");
    let scratch = [
        sibling(&staged, "-wal"),
        sibling(&staged, "-shm"),
        staged.clone(),
    ];
    for leftover in scratch.iter().chain([&restored]) {
        remove_if_there(leftover)?;
    }
    let outcome = stage_sqlite(file, src, &staged, &restored, carry).await;
    if outcome.is_err() {
        let _ = std::fs::remove_file(&restored);
    }
    // The staged copy is scratch either way; a connection slow to let go of it does not matter.
    for leftover in &scratch {
        let _ = std::fs::remove_file(leftover);
    }
    let report = outcome?;
    for stale in [sibling(file, "-wal"), sibling(file, "-shm")] {
        remove_if_there(&stale)?;
    }
    std::fs::rename(&restored, file)?;
    if let Ok(dir) = std::fs::File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(report)
}

fn remove_if_there(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

async fn stage_sqlite(
    file: &Path,
    src: &Path,
    staged: &Path,
    restored: &Path,
    carry: Carry,
) -> Result<Report, Failure> {
    {
        let mut to = private_files::create_new(staged)?;
        let mut from = std::fs::File::open(src)?;
        std::io::copy(&mut from, &mut to)?;
        to.sync_all()?;
    }
    let not_a_backup = |e: &dyn std::fmt::Display| {
        Failure::Refused(format!(
            "{0} 不是村保数据库的备份（{e}），未做任何更改\n{0} is not a backup of a Cunbao \
             database ({e}); nothing was changed",
            src.display()
        ))
    };
    let mut conn = sqlite_connection(staged, WAIT)
        .await
        .map_err(|e| not_a_backup(&e))?;
    match quick_check(&mut conn).await {
        Ok(check) if check == "ok" => {}
        Ok(check) => return Err(not_a_backup(&check)),
        Err(e) => return Err(not_a_backup(&e)),
    }
    held(&mut conn).await.map_err(|e| not_a_backup(&e))?;
    conn.close().await?;

    let replaced = replaced_sqlite(file).await?;
    let url = format!("sqlite://{}", staged.display());
    let pool = db::open(&url)
        .await
        .map_err(|e| Failure::Failed(e.to_string()))?;
    let report = finalise(&pool, src, carry, replaced.as_ref()).await;
    // One self-contained file, written from the finalised copy while the pool still has it
    // open: nothing waits for the pool's connections to let go of the staged file or its WAL.
    let written = match &report {
        Ok(_) => write_out(&pool, restored).await,
        Err(_) => Ok(()),
    };
    pool.close().await;
    let report = report?;
    written?;
    Ok(report)
}

/// `VACUUM INTO` a new private file (made empty first, so it keeps its 0600 mode), synced.
async fn write_out(pool: &AnyPool, dest: &Path) -> Result<(), Failure> {
    drop(private_files::create_new(dest)?);
    let name = dest
        .to_str()
        .ok_or_else(|| Failure::Failed(format!("{} is not UTF-8", dest.display())))?;
    sqlx::query("VACUUM INTO $1")
        .bind(name)
        .execute(pool)
        .await?;
    std::fs::File::open(dest)?.sync_all()?;
    Ok(())
}

async fn restore_postgres(url: &str, src: &Path, carry: Carry) -> Result<Report, Failure> {
    let entries = dump_entries(src).map_err(|e| {
        Failure::Refused(format!(
            "{0} 不是 pg_dump -Fc 的备份（{e}），未做任何更改\n{0} is not a pg_dump -Fc backup \
             ({e}); nothing was changed",
            src.display()
        ))
    })?;
    if !entries.iter().any(|e| e.is_table("server_meta")) {
        return Err(Failure::Refused(format!(
            "{0} 不是村保数据库的备份，未做任何更改\n{0} is not a backup of a Cunbao database; \
             nothing was changed",
            src.display()
        )));
    }
    let mut conn = postgres_connection(url).await.map_err(|e| {
        Failure::Refused(format!("无法连接数据库 / cannot reach the database: {e}"))
    })?;
    // Other sessions on the database: a server running. One that has just stopped may take a
    // moment to leave: tried for up to 3 s.
    let mut tries = 0;
    let others = loop {
        let others: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
             AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
        )
        .fetch_one(&mut conn)
        .await?;
        tries += 1;
        if others == 0 || tries == 20 {
            break others;
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    };
    if others > 0 {
        return Err(Failure::Refused(format!(
            "数据库正被 {others} 个连接使用：请先停止所有服务器进程再恢复\nThe database has \
             {others} other connections: stop every server process before restoring"
        )));
    }
    let ours: bool = sqlx::query_scalar(
        "SELECT to_regclass('devices') IS NOT NULL AND to_regclass('published_versions') IS NOT NULL",
    )
    .fetch_one(&mut conn)
    .await?;
    let replaced = if ours {
        replaced_from(&mut conn).await?
    } else {
        Replaced::default()
    };
    conn.close().await?;

    let mut restore = pg_command("pg_restore", url).map_err(Failure::Failed)?;
    restore
        .args([
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
        ])
        .arg(src);
    run(restore).map_err(Failure::Failed)?;
    let finished = async {
        drop_later_objects(url, &entries).await?;
        let pool = db::open(url)
            .await
            .map_err(|e| Failure::Failed(e.to_string()))?;
        let report = finalise(&pool, src, carry, Some(&replaced)).await;
        pool.close().await;
        Ok(report?)
    }
    .await;
    finished.map_err(|failure: Failure| {
        let (Failure::Failed(why) | Failure::Refused(why)) = failure;
        let revoked: Vec<&str> = replaced.revoked.iter().map(|(d, _)| d.as_str()).collect();
        Failure::Failed(format!(
            "{why}\n数据库已是备份的内容，但尚未完成恢复：启动服务器前请再次运行恢复（加 \
             --sign-out-all），或重新停用这些设备：{0}\nThe database now holds the backup but \
             the restore did not finish: before starting the server run restore again (with \
             --sign-out-all), or revoke these devices again: {0}",
            revoked.join(", ")
        ))
    })
}

/// Tables and sequences the dump does not have (made by migrations newer than the backup)
/// are dropped, so that those migrations run again on the restored data.
async fn drop_later_objects(url: &str, entries: &[DumpEntry]) -> Result<(), Failure> {
    let mut conn = postgres_connection(url).await?;
    for (kind, sql) in [
        (
            "TABLE",
            "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema()",
        ),
        (
            "SEQUENCE",
            "SELECT sequence_name::text FROM information_schema.sequences \
             WHERE sequence_schema = current_schema()",
        ),
    ] {
        let names: Vec<String> = sqlx::query_scalar(sql).fetch_all(&mut conn).await?;
        for name in names {
            if !entries.iter().any(|e| e.kind == kind && e.name == name) {
                let quoted = name.replace('"', "\"\"");
                sqlx::query(&format!("DROP {kind} IF EXISTS \"{quoted}\" CASCADE"))
                    .execute(&mut conn)
                    .await?;
            }
        }
    }
    conn.close().await?;
    Ok(())
}

/// One line of `pg_restore --list`: `217; 1259 16390 TABLE public devices postgres`.
struct DumpEntry {
    kind: String,
    name: String,
}

impl DumpEntry {
    fn is_table(&self, name: &str) -> bool {
        self.kind == "TABLE" && self.name == name
    }
}

fn dump_entries(file: &Path) -> Result<Vec<DumpEntry>, String> {
    let tool = pg_tool("pg_restore")?;
    let mut list = Command::new(tool);
    list.arg("--list").arg(file);
    let out = run(list)?;
    Ok(out
        .lines()
        .filter(|line| !line.starts_with(';'))
        .filter_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            // id; oid oid KIND… schema name owner
            let at = words
                .iter()
                .position(|w| *w == "TABLE" || *w == "SEQUENCE")?;
            let kind = words[at];
            // "TABLE DATA" and "SEQUENCE SET" are the contents, not the object.
            if matches!(words.get(at + 1), Some(&"DATA" | &"SET" | &"OWNED")) {
                return None;
            }
            Some(DumpEntry {
                kind: kind.to_string(),
                name: words.get(at + 2)?.to_string(),
            })
        })
        .collect())
}

/// `pg_dump` or `pg_restore`, found on PATH or in Debian's /usr/lib/postgresql/*/bin (the
/// newest), connecting to `url` with the password (if any) in the environment rather than on
/// the command line.
fn pg_command(tool: &str, url: &str) -> Result<Command, String> {
    let mut command = Command::new(pg_tool(tool)?);
    let (url, password) = split_password(url);
    command.arg("--dbname").arg(url);
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    Ok(command)
}

fn pg_tool(tool: &str) -> Result<PathBuf, String> {
    let on_path = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default();
    let mut debian: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dirs| {
            dirs.filter_map(|d| d.ok())
                .filter_map(|d| {
                    let version = d.file_name().to_str()?.parse().ok()?;
                    Some((version, d.path().join("bin")))
                })
                .collect()
        })
        .unwrap_or_default();
    debian.sort_by_key(|(version, _)| std::cmp::Reverse(*version));
    on_path
        .into_iter()
        .chain(debian.into_iter().map(|(_, bin)| bin))
        .map(|dir| dir.join(tool))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| {
            format!(
                "找不到 {tool}（请安装 PostgreSQL 客户端工具）/ {tool} not found on PATH or in \
                 /usr/lib/postgresql/*/bin (install the PostgreSQL client tools)"
            )
        })
}

/// Runs a command; its standard output, or its standard error as the failure.
fn run(mut command: Command) -> Result<String, String> {
    let program = command.get_program().to_string_lossy().into_owned();
    let out = command.output().map_err(|e| format!("{program}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{program}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `postgres://user:secret@host/db` → (`postgres://user@host/db`, `secret`), the password
/// percent-decoded.
fn split_password(url: &str) -> (String, Option<String>) {
    let Some(start) = url.find("://").map(|i| i + 3) else {
        return (url.to_string(), None);
    };
    let authority_end = url[start..]
        .find(['/', '?'])
        .map_or(url.len(), |i| start + i);
    let Some(at) = url[start..authority_end].rfind('@').map(|i| start + i) else {
        return (url.to_string(), None);
    };
    let Some((user, password)) = url[start..at].split_once(':') else {
        return (url.to_string(), None);
    };
    (
        format!("{}{user}{}", &url[..start], &url[at..]),
        Some(percent_decode(password)),
    )
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_goes_to_the_environment_not_the_command_line() {
        assert_eq!(
            split_password("postgres://cunbao:s%40cret:x@db.local:5432/cunbao?sslmode=require"),
            (
                "postgres://cunbao@db.local:5432/cunbao?sslmode=require".to_string(),
                Some("s@cret:x".to_string())
            )
        );
        assert_eq!(
            split_password("postgres://postgres@127.0.0.1:5432/postgres"),
            (
                "postgres://postgres@127.0.0.1:5432/postgres".to_string(),
                None
            )
        );
        assert_eq!(
            split_password("postgres://host/db"),
            ("postgres://host/db".to_string(), None)
        );
    }
}
