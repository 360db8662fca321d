//! `interval`, which tokio-postgres does not map: months, days and
//! microseconds, kept apart as PostgreSQL keeps them.
//!
//! Written here rather than taken from a crate: the binary format is three
//! integers, and no well-kept crate maps it for tokio-postgres
//! (`chrono::TimeDelta` cannot hold "1 month", whose length in days
//! depends on the date it is added to).

use std::error::Error;

use bytes::{BufMut, BytesMut};
use postgres_types::{FromSql, IsNull, ToSql, Type, accepts, to_sql_checked};

use super::{ArrayElement, SqlType, SqlTypeName};

/// A PostgreSQL `interval`.
///
/// ```
/// use pgtable::Interval;
///
/// let billing_period = Interval::months(1);
/// let grace = Interval::days(3).plus_microseconds(90 * 60 * 1_000_000);
/// assert_eq!((billing_period.months, grace.days), (1, 3));
/// assert_eq!(
///     Interval::from_duration(chrono::TimeDelta::seconds(90)),
///     Some(Interval::new(0, 0, 90_000_000))
/// );
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Interval {
    /// Whole months (a year is 12).
    pub months: i32,
    /// Whole days.
    pub days: i32,
    /// The rest, in microseconds.
    pub microseconds: i64,
}

impl Interval {
    /// An interval of `months`, `days` and `microseconds`.
    pub const fn new(months: i32, days: i32, microseconds: i64) -> Self {
        Interval {
            months,
            days,
            microseconds,
        }
    }

    /// `n` months.
    pub const fn months(n: i32) -> Self {
        Interval::new(n, 0, 0)
    }

    /// `n` days.
    pub const fn days(n: i32) -> Self {
        Interval::new(0, n, 0)
    }

    /// This interval with `n` more microseconds.
    pub const fn plus_microseconds(mut self, n: i64) -> Self {
        self.microseconds += n;
        self
    }

    /// A fixed length of time as an interval of microseconds; `None` when
    /// it does not fit (beyond about 292,000 years) or has nanoseconds.
    pub fn from_duration(duration: chrono::TimeDelta) -> Option<Self> {
        let micros = duration.num_microseconds()?;
        (chrono::TimeDelta::microseconds(micros) == duration).then_some(Interval::new(0, 0, micros))
    }
}

impl ToSql for Interval {
    fn to_sql(&self, _: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        // interval_send: time (int8, µs), day (int4), month (int4).
        out.put_i64(self.microseconds);
        out.put_i32(self.days);
        out.put_i32(self.months);
        Ok(IsNull::No)
    }

    accepts!(INTERVAL);
    to_sql_checked!();
}

impl<'a> FromSql<'a> for Interval {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn Error + Sync + Send>> {
        let raw: &[u8; 16] = raw
            .try_into()
            .map_err(|_| format!("an interval is 16 bytes, got {}", raw.len()))?;
        let [
            t0,
            t1,
            t2,
            t3,
            t4,
            t5,
            t6,
            t7,
            d0,
            d1,
            d2,
            d3,
            m0,
            m1,
            m2,
            m3,
        ] = *raw;
        Ok(Interval {
            microseconds: i64::from_be_bytes([t0, t1, t2, t3, t4, t5, t6, t7]),
            days: i32::from_be_bytes([d0, d1, d2, d3]),
            months: i32::from_be_bytes([m0, m1, m2, m3]),
        })
    }

    accepts!(INTERVAL);
}

impl SqlType for Interval {
    const SQL_TYPE: SqlTypeName = SqlTypeName::builtin("interval");
}

impl ArrayElement for Interval {}
