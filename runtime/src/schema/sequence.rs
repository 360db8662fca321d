//! Sequences as schema items (Drizzle's `pgSequence`), for numbers drawn
//! outside any one column: `default_sql = "nextval('order_numbers')"`.

/// A sequence (`CREATE SEQUENCE`), of `bigint`.
///
/// ```
/// use pgtable::{Schema, SequenceDef};
///
/// pub const ORDER_NUMBERS: SequenceDef = SequenceDef::new("order_numbers").start_with(1000);
///
/// let schema = Schema::new().sequence(&ORDER_NUMBERS);
/// assert_eq!(
///     schema.to_sql().trim_end(),
///     "CREATE SEQUENCE \"public\".\"order_numbers\" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1000 CACHE 1;"
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SequenceDef {
    /// Its name.
    pub name: &'static str,
    /// Its schema; `None` is `public`.
    pub schema: Option<&'static str>,
    /// The step between values (negative for a descending sequence).
    pub increment: i64,
    /// The smallest value; `None` is PostgreSQL's default for the direction.
    pub min: Option<i64>,
    /// The largest value; `None` is PostgreSQL's default for the direction.
    pub max: Option<i64>,
    /// The first value; `None` is the minimum (the maximum when descending).
    pub start: Option<i64>,
    /// How many values a session takes at once.
    pub cache: i64,
    /// Whether it starts over after the last value rather than failing.
    pub cycle: bool,
}

impl SequenceDef {
    /// An ascending sequence from 1, by 1.
    pub const fn new(name: &'static str) -> Self {
        SequenceDef {
            name,
            schema: None,
            increment: 1,
            min: None,
            max: None,
            start: None,
            cache: 1,
            cycle: false,
        }
    }

    /// Puts it in a named schema.
    pub const fn schema(mut self, schema: &'static str) -> Self {
        self.schema = Some(schema);
        self
    }

    /// Sets the step.
    pub const fn increment_by(mut self, step: i64) -> Self {
        self.increment = step;
        self
    }

    /// Sets the smallest value.
    pub const fn min_value(mut self, min: i64) -> Self {
        self.min = Some(min);
        self
    }

    /// Sets the largest value.
    pub const fn max_value(mut self, max: i64) -> Self {
        self.max = Some(max);
        self
    }

    /// Sets the first value.
    pub const fn start_with(mut self, start: i64) -> Self {
        self.start = Some(start);
        self
    }

    /// Sets how many values a session takes at once.
    pub const fn cache(mut self, cache: i64) -> Self {
        self.cache = cache;
        self
    }

    /// Makes it start over after its last value.
    pub const fn cycle(mut self) -> Self {
        self.cycle = true;
        self
    }

    /// The minimum, maximum and start, with PostgreSQL's defaults filled
    /// in (as `CREATE SEQUENCE` and the catalog give them).
    pub const fn bounds(&self) -> (i64, i64, i64) {
        let ascending = self.increment > 0;
        let min = match self.min {
            Some(min) => min,
            None if ascending => 1,
            None => i64::MIN,
        };
        let max = match self.max {
            Some(max) => max,
            None if ascending => i64::MAX,
            None => -1,
        };
        let start = match self.start {
            Some(start) => start,
            None if ascending => min,
            None => max,
        };
        (min, max, start)
    }
}
