//! What each column attribute fits: traits the code `#[table]` generates
//! requires of a field's type, so that a misfit is a compile error on that
//! field saying what to write instead.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use uuid::Uuid;

use super::{PgEnum, SqlType};

/// Column types that `#[column(default_now)]` fits: dates and times.
#[diagnostic::on_unimplemented(
    message = "`default_now` needs a date or time column, but this field is `{Self}`",
    label = "not a date or time type",
    note = "`default_now` fits NaiveDateTime, DateTime<Utc>, NaiveDate, NaiveTime or an Option of one of them",
    note = "for any other default write `#[column(default = <value>)]` or `#[column(default_sql = \"<sql expression>\")]`"
)]
pub trait NowDefault: SqlType {}

impl NowDefault for NaiveDateTime {}
impl NowDefault for DateTime<Utc> {}
impl NowDefault for NaiveDate {}
impl NowDefault for NaiveTime {}
impl<T: NowDefault> NowDefault for Option<T> {}

/// Column types that `#[column(on_update_now)]` fits: dates and times.
#[diagnostic::on_unimplemented(
    message = "`on_update_now` needs a date or time column, but this field is `{Self}`",
    label = "not a date or time type",
    note = "`on_update_now` fits NaiveDateTime, DateTime<Utc>, NaiveDate, NaiveTime or an Option of one of them",
    note = "to set another value on every update write `#[column(on_update_sql = \"<sql expression>\")]`"
)]
pub trait OnUpdateNow: SqlType {}

impl<T: NowDefault> OnUpdateNow for T {}

/// Column types that `#[column(default_random)]` fits: UUIDs.
#[diagnostic::on_unimplemented(
    message = "`default_random` (gen_random_uuid()) needs a Uuid column, but this field is `{Self}`",
    label = "not a Uuid",
    note = "declare the field as `uuid::Uuid` (or `Option<Uuid>`), or write `#[column(default_sql = \"<sql expression>\")]`"
)]
pub trait RandomDefault: SqlType {}

impl RandomDefault for Uuid {}
impl<T: RandomDefault> RandomDefault for Option<T> {}

/// Column types that `#[column(identity)]` fits: non-null integers.
#[diagnostic::on_unimplemented(
    message = "`identity` needs an i16, i32 or i64 column, but this field is `{Self}`",
    label = "not a non-null integer",
    note = "an identity column is always NOT NULL: declare it as `i16`, `i32` or `i64`, without Option",
    note = "for a random key use `id: Uuid` with `#[column(primary_key, default_random)]`"
)]
pub trait IdentityColumn: SqlType {}

impl IdentityColumn for i16 {}
impl IdentityColumn for i32 {}
impl IdentityColumn for i64 {}

/// Column types that `#[column(serial)]` fits: non-null integers, which
/// give `smallserial`, `serial` and `bigserial`.
#[diagnostic::on_unimplemented(
    message = "`serial` needs an i16, i32 or i64 column, but this field is `{Self}`",
    label = "not a non-null integer",
    note = "a serial column is always NOT NULL: declare it as `i16` (smallserial), `i32` (serial) or `i64` (bigserial), without Option"
)]
pub trait SerialColumn: SqlType {}

impl SerialColumn for i16 {}
impl SerialColumn for i32 {}
impl SerialColumn for i64 {}

/// A foreign key column of type `Self` may reference a column of type `W`:
/// the same type, or an `Option` of it.
#[diagnostic::on_unimplemented(
    message = "a `{Self}` column cannot reference a `{W}` column",
    label = "the foreign key's type differs from the referenced column's",
    note = "a foreign key has the referenced column's type, or an `Option` of it for an optional reference: declare this field as `{W}` or `Option<{W}>`"
)]
pub trait References<W> {}

impl<W: SqlType> References<W> for W {}
impl<W: SqlType> References<W> for Option<W> {}

/// Column types that `#[column(varchar(N))]` fits: strings.
#[diagnostic::on_unimplemented(
    message = "`varchar(N)` needs a String column, but this field is `{Self}`",
    label = "not a String",
    note = "declare the field as `String` (or `Option<String>`), or name the type with `#[column(sql_type = \"...\")]`"
)]
pub trait TextColumn: SqlType {}

impl TextColumn for String {}
impl<T: TextColumn> TextColumn for Option<T> {}

/// Column types that `#[column(numeric(P, S))]` fits: decimals.
#[diagnostic::on_unimplemented(
    message = "`numeric(P, S)` needs a `rust_decimal::Decimal` column, but this field is `{Self}`",
    label = "not a Decimal",
    note = "declare the field as `rust_decimal::Decimal` (or an `Option` of it), with pgtable's `decimal` feature on"
)]
pub trait NumericColumn: SqlType {}

#[cfg(feature = "decimal")]
impl NumericColumn for rust_decimal::Decimal {}
impl<T: NumericColumn> NumericColumn for Option<T> {}

/// Column types that `#[column(default = true)]` (or `false`) fits.
#[diagnostic::on_unimplemented(
    message = "`default = true` or `false` needs a bool column, but this field is `{Self}`",
    label = "not a bool",
    note = "for an SQL expression write `#[column(default_sql = \"<sql expression>\")]`"
)]
pub trait BoolDefault: SqlType {}

impl BoolDefault for bool {}
impl<T: BoolDefault> BoolDefault for Option<T> {}

/// Column types that an integer default (`#[column(default = 0)]`) fits:
/// integers, floats and decimals. The literal is checked as a
/// `Self::Literal`, so one out of the column's range does not compile.
#[diagnostic::on_unimplemented(
    message = "a number `default` needs a number column, but this field is `{Self}`",
    label = "not a number",
    note = "an integer default fits i16, i32, i64, f32, f64 and Decimal columns",
    note = "for a text column write the text as a string: `default = \"0\"`; for an SQL expression write `default_sql = \"<sql expression>\"`"
)]
pub trait IntDefault: SqlType {
    /// The type the default's literal is checked as.
    type Literal;
}

impl IntDefault for i16 {
    type Literal = i16;
}
impl IntDefault for i32 {
    type Literal = i32;
}
impl IntDefault for i64 {
    type Literal = i64;
}
impl IntDefault for f32 {
    type Literal = i64;
}
impl IntDefault for f64 {
    type Literal = i64;
}
#[cfg(feature = "decimal")]
impl IntDefault for rust_decimal::Decimal {
    type Literal = i128;
}
impl<T: IntDefault> IntDefault for Option<T> {
    type Literal = T::Literal;
}

/// Column types that a default with a fraction or exponent
/// (`#[column(default = 2.5)]`) fits: floats and decimals.
#[diagnostic::on_unimplemented(
    message = "a decimal `default` needs an f32, f64 or Decimal column, but this field is `{Self}`",
    label = "not a float or decimal",
    note = "for an integer column write a whole number, such as `default = 2`; for an SQL expression write `default_sql = \"<sql expression>\"`"
)]
pub trait FloatDefault: SqlType {
    /// The type the default's literal is checked as.
    type Literal;
}

impl FloatDefault for f32 {
    type Literal = f32;
}
impl FloatDefault for f64 {
    type Literal = f64;
}
#[cfg(feature = "decimal")]
impl FloatDefault for rust_decimal::Decimal {
    type Literal = f64;
}
impl<T: FloatDefault> FloatDefault for Option<T> {
    type Literal = T::Literal;
}

/// Column types that a text default (`#[column(default = "draft")]`) fits:
/// strings. The text is stored as a quoted SQL literal.
#[diagnostic::on_unimplemented(
    message = "`default = \"…\"` is a text value, but this field is `{Self}`",
    label = "not a String",
    note = "a text default fits String columns; pgtable quotes it",
    note = "for an SQL expression (such as `now()` or `'{{}}'::text[]`) write `#[column(default_sql = \"<sql expression>\")]`; for an enum column write its variant, such as `default = Status::Draft`"
)]
pub trait TextDefault: SqlType {}

impl TextDefault for String {}
impl<T: TextDefault> TextDefault for Option<T> {}

/// Column types that an enum variant default
/// (`#[column(default = PostStatus::Draft)]`) fits: `#[derive(PgEnum)]`
/// enums (the derive implements it) and Options of them. `Enum` is the enum
/// itself, for the variant to be checked against.
#[diagnostic::on_unimplemented(
    message = "`default = <variant>` needs a `#[derive(PgEnum)]` enum column, but this field is `{Self}`",
    label = "not a PgEnum",
    note = "a path such as `Status::Draft` is an enum variant; for an SQL expression write `#[column(default_sql = \"<sql expression>\")]`"
)]
pub trait EnumDefault: SqlType {
    /// The enum whose variant is the default.
    type Enum: PgEnum;
}

impl<T: EnumDefault> EnumDefault for Option<T> {
    type Enum = T::Enum;
}

/// Column types that `#[column(timestamp(P))]` fits.
#[diagnostic::on_unimplemented(
    message = "`timestamp(P)` needs a NaiveDateTime column, but this field is `{Self}`",
    label = "not a NaiveDateTime",
    note = "for a `DateTime<Utc>` field (timestamp with time zone) write `timestamptz(P)`"
)]
pub trait TimestampColumn: SqlType {}

impl TimestampColumn for NaiveDateTime {}
impl<T: TimestampColumn> TimestampColumn for Option<T> {}

/// Column types that `#[column(timestamptz(P))]` fits.
#[diagnostic::on_unimplemented(
    message = "`timestamptz(P)` needs a `DateTime<Utc>` column, but this field is `{Self}`",
    label = "not a DateTime<Utc>",
    note = "for a NaiveDateTime field (timestamp without time zone) write `timestamp(P)`"
)]
pub trait TimestamptzColumn: SqlType {}

impl TimestamptzColumn for DateTime<Utc> {}
impl<T: TimestamptzColumn> TimestamptzColumn for Option<T> {}

/// Column types that `#[column(json)]` fits: JSON values.
#[diagnostic::on_unimplemented(
    message = "`json` needs a `serde_json::Value` or `pgtable::Json<T>` column, but this field is `{Self}`",
    label = "not a JSON value",
    note = "`json` stores the JSON text as given; without it such a column is `jsonb`"
)]
pub trait JsonColumn: SqlType {}

impl JsonColumn for serde_json::Value {}
impl<T> JsonColumn for postgres_types::Json<T> where postgres_types::Json<T>: SqlType {}
impl<T: JsonColumn> JsonColumn for Option<T> {}
