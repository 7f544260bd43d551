//! A write transaction, correct with any number of server processes on one database.
//!
//! Writers run side by side and lock only what they touch: a device's row (its batch and
//! sequence), and the records and people a batch names ([`Tx::lock_keys`]: a person's
//! year-to-date figures are read and raised by one writer at a time). What every writer shares
//! — the change feed's cursors and the audit chain — is appended at commit, as the last step
//! ([`Tx::commit`]), under one database-wide lock held until the commit is done. So cursors
//! are handed out in commit order: a pull that has seen cursor N has seen every change below
//! N, and never skips one that commits late.
//!
//! On PostgreSQL the locks are row locks and transaction-scoped advisory locks. SQLite has
//! one writer at a time by itself: a write transaction begins `IMMEDIATE` (it holds the
//! database's write lock from the start, so a second process waits instead of failing), and
//! the key locks and the feed lock are not needed.

use std::collections::HashSet;
use std::ops::{Deref, DerefMut};

use sqlx::{Any, AnyConnection, Transaction};
use tokio::sync::OwnedMutexGuard;

use cunbao_domain::sync::ChangeBody;

use crate::audit::{AuditEntry, NewAuditEntry};
use crate::feed::NewChange;

/// The lock key every commit takes on PostgreSQL to append to the feed and the audit chain
/// ("cunbao" in ASCII, as a number).
const FEED_LOCK: i64 = 0x6375_6e62_616f;

pub struct Tx<'a> {
    inner: Transaction<'a, Any>,
    postgres: bool,
    changes: Vec<NewChange>,
    audit: Vec<NewAuditEntry>,
    /// Record ids known not to exist (read once for a whole batch, [`Tx::note_absent`]).
    absent: HashSet<String>,
    /// In a push: records written behind and claimants read ahead ([`crate::record_buffer`]).
    buffer: Option<crate::record_buffer::Buffer>,
    /// On SQLite, this process's writers queue on an in-process lock first ([`Writers`]).
    _queued: Option<OwnedMutexGuard<()>>,
}

impl Tx<'static> {
    /// Begins a write transaction (see the module's notes).
    pub async fn begin(pool: &sqlx::AnyPool) -> Result<Tx<'static>, sqlx::Error> {
        Self::begin_queued(pool, None).await
    }

    async fn begin_queued(
        pool: &sqlx::AnyPool,
        queued: Option<OwnedMutexGuard<()>>,
    ) -> Result<Tx<'static>, sqlx::Error> {
        let postgres = pool.connect_options().database_url.scheme() == "postgres"
            || pool.connect_options().database_url.scheme() == "postgresql";
        // Begun in a task of its own, which runs to its end even if the request is given up
        // meanwhile (a tablet hangs up, a page moves on): it then ends with a `Transaction`,
        // dropped at once, which rolls back. Given up inside `begin_with` itself, SQLite's
        // transaction could be left open on a pooled connection, holding the write lock, and
        // every writer after it failed with "database is locked" (sqlx 0.8 checks a custom
        // BEGIN after SQLite has acknowledged it, at an await).
        let pool = pool.clone();
        let inner = tokio::spawn(async move {
            if postgres {
                pool.begin().await
            } else {
                pool.begin_with("BEGIN IMMEDIATE").await
            }
        })
        .await
        .map_err(|e| sqlx::Error::Io(std::io::Error::other(e)))??;
        Ok(Tx {
            inner,
            postgres,
            changes: Vec::new(),
            audit: Vec::new(),
            absent: HashSet::new(),
            buffer: None,
            _queued: queued,
        })
    }
}

impl Tx<'_> {
    /// `" FOR UPDATE"` on PostgreSQL, to lock the rows a query reads until the commit; nothing
    /// on SQLite (the whole database is this transaction's already).
    pub fn for_update(&self) -> &'static str {
        if self.postgres {
            " FOR UPDATE"
        } else {
            ""
        }
    }

    /// Locks `keys` (record ids, people) until the commit, in one order every writer follows,
    /// so two writers never wait on each other in a circle. A no-op on SQLite.
    pub async fn lock_keys(
        &mut self,
        keys: impl IntoIterator<Item = String>,
    ) -> Result<(), sqlx::Error> {
        if !self.postgres {
            return Ok(());
        }
        let mut hashed: Vec<i64> = keys.into_iter().map(|k| key_hash(&k)).collect();
        hashed.sort_unstable();
        hashed.dedup();
        for chunk in hashed.chunks(1_000) {
            // The numbers are ours (hashes), written into the statement: one round trip locks
            // them all, in the listed order.
            let values = chunk
                .iter()
                .map(|k| format!("({k})"))
                .collect::<Vec<_>>()
                .join(",");
            let locked: i64 = sqlx::query_scalar(&format!(
                "SELECT COUNT(*) FROM (SELECT pg_advisory_xact_lock(k) FROM (VALUES {values}) AS keys (k)) AS locked"
            ))
            .fetch_one(&mut *self.inner)
            .await?;
            debug_assert_eq!(locked as usize, chunk.len());
        }
        Ok(())
    }

    /// Reads which of `ids` no record has yet, in one query, so that asking about each of them
    /// later costs nothing ([`Tx::known_absent`]). The batch's locks keep it true.
    pub async fn note_absent(&mut self, ids: &[&str]) -> Result<(), sqlx::Error> {
        for chunk in ids.chunks(500) {
            let sql = format!(
                "SELECT id FROM records WHERE id IN {}",
                crate::feed::placeholders(&self.inner, 1, chunk.len())
            );
            let mut query = sqlx::query_scalar::<_, String>(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            let present: HashSet<String> = query
                .fetch_all(&mut *self.inner)
                .await?
                .into_iter()
                .collect();
            self.absent.extend(
                chunk
                    .iter()
                    .filter(|id| !present.contains(**id))
                    .map(|id| id.to_string()),
            );
        }
        Ok(())
    }

    /// Whether record `id` is known not to exist (false: not known, ask the database).
    pub fn known_absent(&self, id: &str) -> bool {
        self.absent.contains(id)
    }

    /// Record `id` exists from now on.
    pub fn inserted(&mut self, id: &str) {
        self.absent.remove(id);
    }

    /// From now on, records are written behind and claimants may be read ahead
    /// ([`crate::record_buffer`]).
    pub fn buffer_records(&mut self) {
        self.buffer.get_or_insert_with(Default::default);
    }

    /// What is held back and read ahead, if this transaction buffers.
    pub fn buffer(&mut self) -> Option<&mut crate::record_buffer::Buffer> {
        self.buffer.as_mut()
    }

    /// Writes the records held back, before anything reads `records`.
    pub async fn flush_records(&mut self) -> Result<(), sqlx::Error> {
        let pending = match &mut self.buffer {
            Some(buffer) if !buffer.pending.is_empty() => std::mem::take(&mut buffer.pending),
            _ => return Ok(()),
        };
        crate::record_buffer::write(&mut self.inner, &pending).await
    }

    /// Records changed other than by an insert: nothing read ahead stands.
    pub fn records_changed(&mut self) {
        if let Some(buffer) = &mut self.buffer {
            buffer.forget();
        }
    }

    /// Appends a change about record `id`, visible to `clinic` (and its township), or to the
    /// whole township, when the transaction commits.
    pub fn append_change(
        &mut self,
        township: &str,
        clinic: Option<&str>,
        id: &str,
        body: &ChangeBody,
    ) {
        self.changes
            .push(NewChange::new(township, clinic, id, body));
    }

    /// Adds an entry to the audit chain when the transaction commits.
    pub fn audit(&mut self, entry: AuditEntry<'_>) {
        self.audit.push(NewAuditEntry::from(entry));
    }

    /// Appends the changes and audit entries (cursors and chain ids handed out in commit
    /// order) and commits.
    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        self.flush_records().await?;
        if !self.changes.is_empty() || !self.audit.is_empty() {
            if self.postgres {
                let _: i32 =
                    sqlx::query_scalar("SELECT 1 FROM (SELECT pg_advisory_xact_lock($1)) AS feed")
                        .bind(FEED_LOCK)
                        .fetch_one(&mut *self.inner)
                        .await?;
            }
            crate::feed::write_changes(&mut self.inner, &self.changes).await?;
            crate::audit::write_entries(&mut self.inner, &self.audit).await?;
        }
        self.inner.commit().await
    }
}

/// A lock key as PostgreSQL's advisory locks take it: the first 8 bytes of its SHA-256.
fn key_hash(key: &str) -> i64 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(key.as_bytes());
    i64::from_be_bytes(digest[..8].try_into().expect("8 bytes"))
}

impl<'a> Deref for Tx<'a> {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        &self.inner
    }
}

impl DerefMut for Tx<'_> {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.inner
    }
}

/// Where this process's writers begin. On SQLite they queue on an in-process lock before
/// `BEGIN IMMEDIATE` (a handover there is cheaper than SQLite's busy-wait); on PostgreSQL they
/// go straight to the database, which orders them by what they lock.
#[derive(Clone, Default)]
pub struct Writers {
    sqlite_queue: Option<std::sync::Arc<tokio::sync::Mutex<()>>>,
}

impl Writers {
    pub fn for_pool(pool: &sqlx::AnyPool) -> Writers {
        let sqlite = pool.connect_options().database_url.scheme() == "sqlite";
        Writers {
            sqlite_queue: sqlite.then(Default::default),
        }
    }

    pub async fn begin(&self, pool: &sqlx::AnyPool) -> Result<Tx<'static>, sqlx::Error> {
        let queued = match &self.sqlite_queue {
            Some(queue) => Some(queue.clone().lock_owned().await),
            None => None,
        };
        Tx::begin_queued(pool, queued).await
    }
}
