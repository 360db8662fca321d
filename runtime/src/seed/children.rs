//! Children per parent: `Seeder::children(User::posts(), 0..=10)` gives
//! each seeded user between 0 and 10 posts, rather than spreading a count
//! of posts over the users at random (drizzle-seed's `with`).

use std::ops::RangeInclusive;

use rand_chacha::ChaCha8Rng;

use super::generate;
use crate::error::Error;
use crate::schema::TableDef;

/// How many rows of a child table each parent row gets.
pub(super) struct Children {
    /// The child's foreign key column.
    pub(super) column: &'static str,
    pub(super) per_parent: RangeInclusive<usize>,
}

impl Children {
    /// For each child row, the index of its parent among `parents` rows:
    /// parent 0's children first. Also which of `table`'s foreign keys the
    /// parents are for.
    pub(super) fn assign(
        &self,
        rng: &mut ChaCha8Rng,
        table: &TableDef,
        parents: &[Option<Vec<Vec<bytes::Bytes>>>],
    ) -> Result<(usize, Vec<usize>), Error> {
        let fk = table
            .foreign_keys
            .iter()
            .position(|fk| fk.columns == [self.column])
            .ok_or_else(|| {
                Error::Config(format!(
                    "seeding \"{}\": `children` names column \"{}\", which is not a foreign key of its own",
                    table.name, self.column
                ))
            })?;
        let Some(keys) = &parents[fk] else {
            return Err(Error::Config(format!(
                "seeding \"{}\": `children` asks for rows per \"{}\" row, but that table is not seeded before it (a cycle)",
                table.name,
                table.foreign_keys[fk].foreign_table().name
            )));
        };
        let (lo, hi) = (*self.per_parent.start(), *self.per_parent.end());
        if lo > hi {
            return Err(Error::Config(format!(
                "seeding \"{}\": `children(.., {lo}..={hi})` is an empty range: write the smaller number first",
                table.name
            )));
        }
        let mut assigned = Vec::new();
        for parent in 0..keys.len() {
            let n = lo + generate::below(rng, (hi - lo + 1) as u64) as usize;
            assigned.extend(std::iter::repeat_n(parent, n));
        }
        Ok((fk, assigned))
    }
}
