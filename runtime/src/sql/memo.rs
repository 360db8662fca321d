//! Statements as the server prepared them, per connection, so that running
//! one again on a connection it ran on skips the statement cache's look-up
//! of its text: [`StatementMemo`] for one statement written once (a
//! prepared query's), [`StatementTexts`] for ad hoc statements by text.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

use foldhash::fast::RandomState;

use deadpool_postgres::StatementCache;
use tokio_postgres::Statement;

/// At most this many connections are remembered; past that, the one
/// remembered longest ago is forgotten (its statement stays in the
/// connection's own cache).
const CONNECTIONS: usize = 16;

/// The statement as prepared on each connection it ran on.
///
/// A connection is known by its statement cache, which lives as long as
/// the connection: the entry holds it weakly, so its address cannot be
/// reused by another connection's while the entry is here, and an entry
/// of a closed connection is replaced first.
#[derive(Default)]
pub(crate) struct StatementMemo {
    entries: Mutex<Vec<(Weak<StatementCache>, Statement)>>,
}

impl StatementMemo {
    /// The statement as prepared on the connection of `cache`, if it was.
    pub(crate) fn get(&self, cache: &Arc<StatementCache>) -> Option<Statement> {
        let entries = self.lock();
        entries
            .iter()
            .find(|(known, _)| std::ptr::eq(known.as_ptr(), Arc::as_ptr(cache)))
            .map(|(_, statement)| statement.clone())
    }

    /// Remembers `statement`, prepared on the connection of `cache`.
    pub(crate) fn put(&self, cache: &Arc<StatementCache>, statement: &Statement) {
        let mut entries = self.lock();
        let entry = (Arc::downgrade(cache), statement.clone());
        if let Some(slot) = entries.iter_mut().find(|(known, _)| {
            std::ptr::eq(known.as_ptr(), Arc::as_ptr(cache)) || known.strong_count() == 0
        }) {
            *slot = entry;
        } else {
            if entries.len() == CONNECTIONS {
                entries.remove(0);
            }
            entries.push(entry);
        }
    }

    /// The entries; a panic elsewhere while they were held left them whole
    /// (each change is one assignment), so a poisoned lock is taken over.
    fn lock(&self) -> MutexGuard<'_, Vec<(Weak<StatementCache>, Statement)>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Shards of [`StatementTexts`], so that connections running at once
/// rarely wait for one another's look-ups.
const SHARDS: usize = 8;

/// At most this many statements per shard; a shard that is full forgets
/// the statements of closed connections, and if that is not enough, all
/// of them (they stay in their connections' own caches).
const SHARD_CAPACITY: usize = 512;

/// Ad hoc statements (written on every run) by their text, as prepared on
/// each connection they ran on: so that running one again on a connection
/// skips the statement cache's look-up of its text (SipHash of the text,
/// a lock and a large future: about 900 instructions). Only a hit is
/// served from here; a miss goes to the connection's cache, which keeps
/// every statement, and is then remembered here.
///
/// An entry is keyed by a hash of its connection and text (foldhash,
/// seeded at random), and holds both to be checked on a hit: the
/// connection as its statement cache, held weakly as in
/// [`StatementMemo`], and the text in full.
#[derive(Default)]
pub(crate) struct StatementTexts {
    hasher: RandomState,
    shards: [Mutex<Shard>; SHARDS],
}

impl std::fmt::Debug for StatementTexts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StatementTexts").finish_non_exhaustive()
    }
}

/// Entries by their key, itself a hash: hashed again, cheaply.
type Shard = HashMap<u64, TextEntry, foldhash::fast::FixedState>;

struct TextEntry {
    connection: Weak<StatementCache>,
    sql: Box<str>,
    statement: Statement,
}

impl StatementTexts {
    /// The statement `sql` as prepared on the connection of `cache`, if it
    /// was and is remembered.
    pub(crate) fn get(&self, cache: &Arc<StatementCache>, sql: &str) -> Option<Statement> {
        let key = self.key(cache, sql);
        let shard = self.shard(key);
        let entry = shard.get(&key)?;
        (std::ptr::eq(entry.connection.as_ptr(), Arc::as_ptr(cache)) && *entry.sql == *sql)
            .then(|| entry.statement.clone())
    }

    /// Remembers `statement`, `sql` as prepared on the connection of `cache`.
    pub(crate) fn put(&self, cache: &Arc<StatementCache>, sql: &str, statement: &Statement) {
        let key = self.key(cache, sql);
        let mut shard = self.shard(key);
        if shard.len() >= SHARD_CAPACITY && !shard.contains_key(&key) {
            shard.retain(|_, entry| entry.connection.strong_count() > 0);
            if shard.len() >= SHARD_CAPACITY {
                shard.clear();
            }
        }
        shard.insert(
            key,
            TextEntry {
                connection: Arc::downgrade(cache),
                sql: sql.into(),
                statement: statement.clone(),
            },
        );
    }

    fn key(&self, cache: &Arc<StatementCache>, sql: &str) -> u64 {
        self.hasher.hash_one((Arc::as_ptr(cache) as usize, sql))
    }

    /// A shard; a panic elsewhere while it was held left it whole (each
    /// change is one call), so a poisoned lock is taken over.
    fn shard(&self, key: u64) -> MutexGuard<'_, Shard> {
        self.shards[key as usize % SHARDS]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
