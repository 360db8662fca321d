//! The server's prepared forms of one statement written once (a prepared
//! query's), per connection: so that running it again on a connection it
//! ran on skips the statement cache's look-up of its text.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

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
