//! Mapping Rust types to PostgreSQL types.
//!
//! Every column's Rust type implements [`SqlType`], which names its
//! PostgreSQL type for the DDL and, through tokio-postgres's [`ToSql`] and
//! [`FromSql`](postgres_types::FromSql), moves values to and from the server.
//! `Option<T>` makes any mapped type nullable.
//!
//! | Rust | PostgreSQL |
//! |---|---|
//! | `bool` | `boolean` |
//! | `i16` / `i32` / `i64` | `smallint` / `integer` / `bigint` |
//! | `f32` / `f64` | `real` / `double precision` |
//! | `String` | `text` |
//! | `Vec<u8>` | `bytea` |
//! | `uuid::Uuid` | `uuid` |
//! | `chrono::NaiveDateTime` | `timestamp` |
//! | `chrono::DateTime<Utc>` | `timestamp with time zone` |
//! | `chrono::NaiveDate` / `chrono::NaiveTime` | `date` / `time` |
//! | `serde_json::Value`, [`Json<T>`] | `jsonb` (`json` with `#[column(json)]`) |
//! | [`Interval`] | `interval` |
//! | `std::net::IpAddr` | `inet` |
//! | `cidr::IpCidr` / `cidr::IpInet` (feature `cidr`) | `cidr` / `inet` |
//! | `eui48::MacAddress` (feature `macaddr`) | `macaddr` |
//! | `bit_vec::BitVec` (feature `bit`) | `varbit` |
//! | `rust_decimal::Decimal` (feature `decimal`) | `numeric` |
//!
//! A type of your own is mapped by implementing [`SqlType`] next to
//! tokio-postgres's `ToSql` and `FromSql`:
//!
//! ```
//! use pgtable::{SqlType, SqlTypeName};
//! // The derives name `postgres_types::…`: importing pgtable's re-export
//! // under that name is all they need, no dependency of your own.
//! use pgtable::postgres_types::{self, FromSql, ToSql};
//!
//! /// Cents, stored as a bigint.
//! #[derive(Debug, Clone, ToSql, FromSql)]
//! #[postgres(transparent)]
//! pub struct Cents(i64);
//!
//! impl SqlType for Cents {
//!     const SQL_TYPE: SqlTypeName = SqlTypeName::builtin("bigint");
//! }
//! ```

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use postgres_types::{FromSqlOwned, ToSql};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio_postgres::Row;
use uuid::Uuid;

use crate::schema::{Schema, TableDef};
use crate::table::InsertValue;
pub use crate::typename::{EnumDef, SqlTypeName};

mod fits;
mod interval;

pub use interval::Interval;

pub use fits::{
    BoolDefault, EnumDefault, FloatDefault, IdentityColumn, IntDefault, JsonColumn, NowDefault,
    NumericColumn, OnUpdateNow, RandomDefault, References, SerialColumn, TextColumn, TextDefault,
    TimestampColumn, TimestamptzColumn,
};

/// A Rust type that can be stored in a PostgreSQL column.
///
/// Implement it (beside tokio-postgres's `ToSql` and `FromSql`, and `Clone`)
/// to use a type of your own as a column; see the [module documentation](self).
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no PostgreSQL column type",
    label = "no SQL type mapping for `{Self}`",
    note = "columns can be bool, i16, i32, i64, f32, f64, String, Vec<u8>, Uuid, NaiveDateTime, DateTime<Utc>, NaiveDate, NaiveTime, or an Option of one of them",
    note = "to store a type of your own, implement `pgtable::SqlType` for it (and `Clone`, and tokio-postgres's `ToSql` and `FromSql`)"
)]
pub trait SqlType: ToSql + FromSqlOwned + Clone + Send + Sync {
    /// The PostgreSQL type of the column.
    const SQL_TYPE: SqlTypeName;
    /// Whether the column accepts NULL; only `Option<T>` says yes.
    const NULLABLE: bool = false;
    /// The enum type the column needs created first (`#[derive(PgEnum)]`).
    const ENUM: Option<&'static EnumDef> = None;

    // Generated code reaches decoding and binding through these, as
    // `<T as SqlType>::...`, so that a type with no mapping is reported once.

    #[doc(hidden)]
    #[inline]
    fn __decode(
        row: &Row,
        index: usize,
        table: &'static TableDef,
        column: usize,
        rust_type: &'static str,
    ) -> Result<Self, crate::private::DecodeFailure> {
        crate::private::decode(row, index, table, column, rust_type)
    }

    #[doc(hidden)]
    #[inline]
    fn __bind(&self) -> InsertValue<'_> {
        InsertValue::Bind(self)
    }

    #[doc(hidden)]
    #[inline]
    fn __clone(&self) -> Self {
        self.clone()
    }

    #[doc(hidden)]
    #[inline]
    fn __debug(&self) -> &dyn fmt::Debug {
        self
    }
}

macro_rules! builtin_types {
    ($($ty:ty => $name:literal),* $(,)?) => {
        $(
            impl SqlType for $ty {
                const SQL_TYPE: SqlTypeName = SqlTypeName::builtin($name);
            }
        )*
    };
}

builtin_types! {
    bool => "boolean",
    i16 => "smallint",
    i32 => "integer",
    i64 => "bigint",
    f32 => "real",
    f64 => "double precision",
    String => "text",
    Vec<u8> => "bytea",
    Uuid => "uuid",
    NaiveDateTime => "timestamp",
    DateTime<Utc> => "timestamp with time zone",
    NaiveDate => "date",
    NaiveTime => "time",
    std::net::IpAddr => "inet",
}

#[cfg(feature = "cidr")]
builtin_types! {
    cidr::IpCidr => "cidr",
    cidr::IpInet => "inet",
}

#[cfg(feature = "macaddr")]
builtin_types! {
    eui48::MacAddress => "macaddr",
}

#[cfg(feature = "bit")]
builtin_types! {
    bit_vec::BitVec => "varbit",
}

impl<T: SqlType> SqlType for Option<T> {
    const SQL_TYPE: SqlTypeName = T::SQL_TYPE;
    const NULLABLE: bool = true;
    const ENUM: Option<&'static EnumDef> = T::ENUM;
}

impl SqlType for serde_json::Value {
    const SQL_TYPE: SqlTypeName = SqlTypeName::builtin("jsonb");
}

/// Any serde type stored as `jsonb`: `metadata: Json<PostMeta>`.
///
/// ```
/// use pgtable::Json;
/// #[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
/// struct PostMeta {
///     reading_minutes: u32,
/// }
/// let meta = Json(PostMeta { reading_minutes: 4 });
/// assert_eq!(meta.0.reading_minutes, 4);
/// ```
pub use postgres_types::Json;

impl<T> SqlType for Json<T>
where
    T: Serialize + DeserializeOwned + fmt::Debug + Clone + Send + Sync,
{
    const SQL_TYPE: SqlTypeName = SqlTypeName::builtin("jsonb");
}

#[cfg(feature = "decimal")]
impl SqlType for rust_decimal::Decimal {
    const SQL_TYPE: SqlTypeName = SqlTypeName::builtin("numeric");
}

/// Types that can be the elements of an array column (`Vec<T>` is `T[]`).
///
/// Every scalar type is; arrays of arrays are not, as tokio-postgres
/// cannot read them into nested `Vec`s.
#[diagnostic::on_unimplemented(
    message = "`Vec<{Self}>` is not a column type: `{Self}` cannot be an array element",
    label = "not an array element type",
    note = "arrays hold scalar types (numbers, text, uuid, dates and times, json, enums), or an Option of one of them"
)]
pub trait ArrayElement: SqlType {}

macro_rules! array_elements {
    ($($ty:ty),* $(,)?) => {
        $(impl ArrayElement for $ty {})*
    };
}

array_elements!(
    bool,
    i16,
    i32,
    i64,
    f32,
    f64,
    String,
    Vec<u8>,
    Uuid,
    NaiveDateTime,
    DateTime<Utc>,
    NaiveDate,
    NaiveTime,
    serde_json::Value,
    std::net::IpAddr,
);

#[cfg(feature = "cidr")]
array_elements!(cidr::IpCidr, cidr::IpInet);

#[cfg(feature = "macaddr")]
array_elements!(eui48::MacAddress);

#[cfg(feature = "bit")]
array_elements!(bit_vec::BitVec);

#[cfg(feature = "decimal")]
impl ArrayElement for rust_decimal::Decimal {}

impl<T: ArrayElement> ArrayElement for Option<T> {}

impl<T> ArrayElement for Json<T> where
    T: Serialize + DeserializeOwned + fmt::Debug + Clone + Send + Sync
{
}

impl<T: ArrayElement> SqlType for Vec<T> {
    const SQL_TYPE: SqlTypeName = T::SQL_TYPE.array();
    const ENUM: Option<&'static EnumDef> = T::ENUM;
}

/// A Rust enum stored as a PostgreSQL enum: implemented by `#[derive(PgEnum)]`.
pub trait PgEnum: SqlType + Sized + 'static {
    /// The enum type.
    const DEF: &'static EnumDef;
}

impl Schema {
    /// Adds an enum type. Enums used by the schema's tables are included
    /// without this; it is for an enum no table uses yet.
    pub fn enum_type<E: PgEnum>(mut self) -> Self {
        self.enums.push(E::DEF);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_render_as_ddl_spells_them() {
        assert_eq!(<i64 as SqlType>::SQL_TYPE.to_string(), "bigint");
        assert_eq!(
            <Option<DateTime<Utc>> as SqlType>::SQL_TYPE.to_string(),
            "timestamp with time zone"
        );
        assert_eq!(
            SqlTypeName::user_defined("post \"status\"").to_string(),
            "\"post \"\"status\"\"\""
        );
        assert_eq!(
            SqlTypeName::builtin("integer").array().array().to_string(),
            "integer[][]"
        );
    }

    #[test]
    fn only_option_is_nullable() {
        const { assert!(!<String as SqlType>::NULLABLE) };
        const { assert!(<Option<String> as SqlType>::NULLABLE) };
    }
}
