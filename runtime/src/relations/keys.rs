//! The keys relations match on, and the foreign key columns holding them.

use std::hash::Hash;

use crate::error::Error;
use crate::schema::TableDef;
use crate::types::SqlType;

/// A key value relations match on: an integer, string or uuid key.
pub trait Key: SqlType + Hash + Eq + Clone + 'static {}
impl<K: SqlType + Hash + Eq + Clone + 'static> Key for K {}

/// The key type a foreign key column of this Rust type holds: `i64` for
/// `i64` and `Option<i64>`. What `relation(...)` on a column names its
/// relations' key type by; implemented for the key types of `Key`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a key type `relation(...)` knows",
    note = "keys are integers, strings or uuids (or an `Option` of one); for another key type, write the relation by hand with `BelongsTo::new` / `HasMany::new`"
)]
pub trait KeyOf {
    /// The key.
    type Key: Key;
}

macro_rules! key_of {
    ($($ty:ty),*) => {
        $(
            impl KeyOf for $ty {
                type Key = $ty;
            }
            impl KeyOf for Option<$ty> {
                type Key = $ty;
            }
        )*
    };
}

key_of!(i16, i32, i64, String, uuid::Uuid);

/// The type of a foreign key column holding keys `K`: `K` itself (every row
/// has a related row) or `Option<K>` (some may not).
pub trait ForeignKey<K: Key>: SqlType {
    /// A related item as a row gets it: `I`, or `Option<I>`.
    type Related<I: Send>: Send;

    /// The key, unless NULL.
    #[doc(hidden)]
    fn key(self) -> Option<K>;

    /// The related item found (or not) for a row.
    #[doc(hidden)]
    fn related<I: Send>(
        found: Option<I>,
        table: &'static TableDef,
    ) -> Result<Self::Related<I>, Error>;
}

impl<K: Key> ForeignKey<K> for K {
    type Related<I: Send> = I;

    fn key(self) -> Option<K> {
        Some(self)
    }

    fn related<I: Send>(found: Option<I>, table: &'static TableDef) -> Result<I, Error> {
        found.ok_or(Error::NotFound { table: table.name })
    }
}

impl<K: Key> ForeignKey<K> for Option<K> {
    type Related<I: Send> = Option<I>;

    fn key(self) -> Option<K> {
        self
    }

    fn related<I: Send>(found: Option<I>, _table: &'static TableDef) -> Result<Option<I>, Error> {
        Ok(found)
    }
}
