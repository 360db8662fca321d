//! What a column's Rust type allows in an expression: arithmetic, `sum`
//! and `avg` ([`Numeric`]), `min` and `max` ([`Ordered`]), `like` and
//! `ilike` ([`Text`]). Each is a trait bound on the operator, so using one
//! on a column of another kind is a compile error that names the column's
//! type.

use crate::types::SqlType;

/// Numeric column types, for arithmetic, `sum` and `avg`.
///
/// The result types follow PostgreSQL's, made convenient: `sum` of any
/// integer is an `i64` (a `bigint` sum is cast back to `bigint`), `avg` of
/// an integer is an `f64`.
#[diagnostic::on_unimplemented(
    message = "arithmetic, `sum` and `avg` need a numeric column, but this one is `{Self}`",
    label = "not a number"
)]
pub trait Numeric {
    /// The Rust type of `sum(column)`, before NULL (no rows).
    type Sum: SqlType;
    /// The Rust type of `avg(column)`, before NULL (no rows).
    type Avg: SqlType;
    /// The cast `sum` needs to give [`Sum`](Numeric::Sum), if any.
    const SUM_CAST: Option<&'static str> = None;
    /// The cast `avg` needs to give [`Avg`](Numeric::Avg), if any.
    const AVG_CAST: Option<&'static str> = None;
}

macro_rules! numeric {
    ($($ty:ty => $sum:ty, $sum_cast:expr, $avg:ty, $avg_cast:expr;)*) => {
        $(
            impl Numeric for $ty {
                type Sum = $sum;
                type Avg = $avg;
                const SUM_CAST: Option<&'static str> = $sum_cast;
                const AVG_CAST: Option<&'static str> = $avg_cast;
            }
        )*
    };
}

numeric! {
    i16 => i64, None, f64, Some("double precision");
    i32 => i64, None, f64, Some("double precision");
    i64 => i64, Some("bigint"), f64, Some("double precision");
    f32 => f32, None, f64, None;
    f64 => f64, None, f64, None;
}

#[cfg(feature = "decimal")]
numeric! {
    rust_decimal::Decimal => rust_decimal::Decimal, None, rust_decimal::Decimal, None;
}

impl<N: Numeric> Numeric for Option<N> {
    type Sum = N::Sum;
    type Avg = N::Avg;
    const SUM_CAST: Option<&'static str> = N::SUM_CAST;
    const AVG_CAST: Option<&'static str> = N::AVG_CAST;
}

/// Column types with an order, for `min` and `max`.
#[diagnostic::on_unimplemented(
    message = "`min` and `max` need an ordered column (numbers, text, dates and times), but this one is `{Self}`",
    label = "no order for `min`/`max`"
)]
pub trait Ordered {
    /// The result of `min`/`max`: nullable, as they are NULL with no rows.
    type Nullable: SqlType;
}

macro_rules! ordered {
    ($($ty:ty),* $(,)?) => {
        $(impl Ordered for $ty { type Nullable = Option<$ty>; })*
    };
}

ordered!(
    i16,
    i32,
    i64,
    f32,
    f64,
    String,
    chrono::NaiveDateTime,
    chrono::DateTime<chrono::Utc>,
    chrono::NaiveDate,
    chrono::NaiveTime,
);

#[cfg(feature = "decimal")]
ordered!(rust_decimal::Decimal);

impl<T: Ordered> Ordered for Option<T> {
    type Nullable = T::Nullable;
}

/// Text column types, for `like` and `ilike`.
#[diagnostic::on_unimplemented(
    message = "`like` and `ilike` need a text column, but this column is `{Self}`",
    label = "not a text column",
    note = "compare other columns with `eq`, `lt`, `between`, `is_in`, …"
)]
pub trait Text {}
impl Text for String {}
impl Text for Option<String> {}
