//! One value for one column, as a typed [`Value`] (which `encode` turns
//! into the column type's binary form): chosen from the column's type, its
//! length or precision, a range its checks give, and what its name
//! suggests.

use std::net::{IpAddr, Ipv4Addr};

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rand_chacha::ChaCha8Rng;
use rand_core::RngCore;

use crate::types::Interval;

use fake::faker::{address::en as address, lorem::en as lorem, name::en as name};

use crate::schema::ColumnDef;

/// What kind of value a column takes.
#[derive(Clone, Debug)]
pub(super) enum Kind {
    Bool,
    Int {
        min: i64,
        max: i64,
    },
    Float,
    Numeric {
        whole_digits: u32,
        scale: u32,
        /// Whole numbers in this range, when a check gives one.
        range: Option<(i64, i64)>,
    },
    Text {
        max_len: Option<usize>,
    },
    Uuid,
    /// With or without a time zone: the column's type says.
    Timestamp,
    Date,
    Time,
    Json,
    Interval,
    Inet,
    Bytea,
    Enum(&'static [&'static str]),
}

/// A generated value, before it is encoded for its column's type.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Value {
    Bool(bool),
    Int(i64),
    Float(f64),
    /// `unscaled / 10^scale`.
    Numeric {
        unscaled: i64,
        scale: u32,
    },
    Text(String),
    Uuid(uuid::Uuid),
    /// In UTC for a `timestamptz` column.
    Timestamp(NaiveDateTime),
    Date(NaiveDate),
    Time(NaiveTime),
    Json(serde_json::Value),
    Interval(Interval),
    Inet(IpAddr),
    Bytes(Vec<u8>),
    /// An enum value's label.
    Label(&'static str),
    /// One dimension, no NULLs.
    Array(Vec<Value>),
}

/// The kind of `column`'s values (of its elements, for an array), or
/// `None` for a type pgtable has no generator for.
pub(super) fn kind_of(column: &ColumnDef) -> Option<Kind> {
    if let Some(e) = column.enum_type {
        return Some(Kind::Enum(e.values));
    }
    let name = column.sql_type.name();
    let arg = |prefix: &str| -> Option<&str> {
        name.strip_prefix(prefix)?
            .strip_prefix('(')?
            .strip_suffix(')')
    };
    let int = |bits: u32| Kind::Int {
        min: 0,
        max: (1_i64 << (bits - 1)) - 1,
    };
    Some(match name {
        "boolean" | "bool" => Kind::Bool,
        "smallint" | "int2" | "smallserial" => int(16),
        "integer" | "int" | "int4" | "serial" => int(32),
        "bigint" | "int8" | "bigserial" => int(63),
        "real" | "double precision" | "float4" | "float8" => Kind::Float,
        "text" | "character varying" | "varchar" => Kind::Text { max_len: None },
        "uuid" => Kind::Uuid,
        "timestamp"
        | "timestamp without time zone"
        | "timestamptz"
        | "timestamp with time zone" => Kind::Timestamp,
        "date" => Kind::Date,
        "time" | "time without time zone" => Kind::Time,
        "json" | "jsonb" => Kind::Json,
        "interval" => Kind::Interval,
        "inet" => Kind::Inet,
        "bytea" => Kind::Bytea,
        "numeric" => Kind::Numeric {
            whole_digits: 4,
            scale: 2,
            range: None,
        },
        _ => {
            if let Some(len) = arg("varchar")
                .or_else(|| arg("character varying"))
                .or_else(|| arg("char"))
                .or_else(|| arg("character"))
            {
                Kind::Text {
                    max_len: len.trim().parse().ok(),
                }
            } else if let Some(ps) = arg("numeric") {
                let mut parts = ps.split(',').map(|p| p.trim().parse::<u32>().ok());
                let precision = parts.next().flatten()?;
                let scale = parts.next().flatten().unwrap_or(0);
                Kind::Numeric {
                    whole_digits: precision.saturating_sub(scale).min(9),
                    scale: scale.min(6),
                    range: None,
                }
            } else if arg("timestamp").is_some() || arg("timestamptz").is_some() {
                Kind::Timestamp
            } else {
                return None;
            }
        }
    })
}

/// A number in `0..n`.
pub(super) fn below(rng: &mut ChaCha8Rng, n: u64) -> u64 {
    if n == 0 { 0 } else { rng.next_u64() % n }
}

/// A `fake` value of `faker`, as text.
fn faked<T: fake::Fake>(faker: T, rng: &mut ChaCha8Rng) -> String
where
    String: fake::Dummy<T>,
{
    faker.fake_with_rng::<String, _>(rng)
}

/// A lower-case word of lorem ipsum.
fn word(rng: &mut ChaCha8Rng) -> String {
    faked(lorem::Word(), rng)
}

/// The column's last name part, lower case: `author_email` -> `email`.
fn hint(column: &str) -> String {
    column.to_ascii_lowercase()
}

/// Whether rows of `table` are people, so that their `name` is a
/// person's name (a tag's or a category's name is a word).
fn of_people(table: &str) -> bool {
    const PEOPLE: [&str; 14] = [
        "user", "author", "people", "person", "customer", "member", "employee", "account",
        "profile", "contact", "student", "teacher", "owner", "player",
    ];
    let table = table.to_ascii_lowercase();
    PEOPLE.iter().any(|p| table.contains(p))
}

/// A text value for `column` of `table`; `i` is the row's number,
/// embedded where the column must be unique.
pub(super) fn text(
    rng: &mut ChaCha8Rng,
    table: &str,
    column: &str,
    i: usize,
    unique: bool,
) -> String {
    let hint = hint(column);
    let tag = if unique {
        format!("{i}")
    } else {
        String::new()
    };
    let has = |part: &str| hint.split('_').any(|p| p == part) || hint.ends_with(part);
    let base = if has("email") {
        let (first, last) = (faked(name::FirstName(), rng), faked(name::LastName(), rng));
        return format!(
            "{}.{}{tag}@example.com",
            first.to_lowercase(),
            last.to_lowercase().replace(' ', "")
        );
    } else if has("first_name") || hint == "first" || hint == "firstname" {
        faked(name::FirstName(), rng)
    } else if has("last_name") || hint == "last" || hint == "lastname" || hint == "surname" {
        faked(name::LastName(), rng)
    } else if has("username") || has("handle") || has("login") {
        let first = faked(name::FirstName(), rng).to_lowercase();
        return format!("{first}{}{tag}", below(rng, 100));
    } else if has("name") && of_people(table) {
        faked(name::Name(), rng)
    } else if has("name") {
        let name = word(rng);
        let mut chars = name.chars();
        chars.next().map_or_else(String::new, |first| {
            first.to_uppercase().chain(chars).collect()
        })
    } else if has("city") {
        faked(address::CityName(), rng)
    } else if has("country") {
        faked(address::CountryName(), rng)
    } else if has("street") || has("address") {
        faked(address::StreetName(), rng)
    } else if has("url") || has("website") || has("link") {
        return format!("https://example.com/{}/{tag}", word(rng));
    } else if has("phone") {
        return format!("+1-555-{:04}{tag}", below(rng, 10_000));
    } else if has("slug") {
        return format!("{}-{}{tag}", word(rng), word(rng));
    } else if has("title") || has("subject") || has("headline") {
        let title = faked(lorem::Sentence(2..6), rng);
        let title = title.trim_end_matches('.');
        let mut chars = title.chars();
        chars.next().map_or_else(String::new, |first| {
            first.to_uppercase().chain(chars).collect()
        })
    } else if has("body") || has("content") || has("description") || has("bio") || has("text") {
        faked(lorem::Paragraph(1..3), rng)
    } else {
        format!("{} {}", word(rng), word(rng))
    };
    if unique { format!("{base} {i}") } else { base }
}

/// A value of `kind` for `column` of `table`. `unique` asks for a value
/// no other row has (row `i`).
pub(super) fn value(
    rng: &mut ChaCha8Rng,
    kind: &Kind,
    (table, column): (&str, &str),
    i: usize,
    unique: bool,
) -> Value {
    match kind {
        Kind::Bool => Value::Bool(below(rng, 2) == 1),
        Kind::Int { min, max } if unique => Value::Int((min + i as i64).min(*max)),
        Kind::Int { min, max } => {
            let span = (max - min).clamp(0, 999) as u64 + 1;
            Value::Int(min + below(rng, span) as i64)
        }
        Kind::Float => Value::Float(below(rng, 100_000) as f64 / 100.0),
        Kind::Numeric {
            range: Some((lo, hi)),
            ..
        } => {
            let span = (hi - lo).clamp(0, 999_999) as u64 + 1;
            Value::Numeric {
                unscaled: lo + below(rng, span) as i64,
                scale: 0,
            }
        }
        Kind::Numeric {
            whole_digits,
            scale,
            range: None,
        } => {
            let whole = below(rng, 10_u64.pow((*whole_digits).min(6)));
            let frac = below(rng, 10_u64.pow(*scale));
            Value::Numeric {
                unscaled: (whole * 10_u64.pow(*scale) + frac) as i64,
                scale: *scale,
            }
        }
        Kind::Text { max_len } => {
            let text = text(rng, table, column, i, unique);
            Value::Text(match max_len {
                Some(max) if text.chars().count() > *max => {
                    // Keep the row number (the unique part) at the end.
                    let tag = if unique { i.to_string() } else { String::new() };
                    let keep = max.saturating_sub(tag.len());
                    format!("{}{tag}", text.chars().take(keep).collect::<String>())
                }
                _ => text,
            })
        }
        Kind::Uuid => {
            let mut bytes = [0_u8; 16];
            rng.fill_bytes(&mut bytes);
            Value::Uuid(uuid::Builder::from_random_bytes(bytes).into_uuid())
        }
        Kind::Timestamp => {
            // In the two years before 2026-01-01: fixed, so that a seed
            // gives the same rows on any day.
            let seconds = 1_767_225_600 - below(rng, 2 * 365 * 86_400) as i64;
            let at = chrono::DateTime::from_timestamp(seconds, 0).unwrap_or_default();
            Value::Timestamp(at.naive_utc())
        }
        Kind::Date => {
            let days = below(rng, 3 * 365);
            let start = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap_or_default();
            Value::Date(start + chrono::Days::new(days))
        }
        Kind::Time => {
            let second = below(rng, 86_400) as u32;
            Value::Time(
                NaiveTime::from_num_seconds_from_midnight_opt(second, 0).unwrap_or_default(),
            )
        }
        Kind::Json => {
            let mut object = serde_json::Map::new();
            object.insert(word(rng), word(rng).into());
            object.insert("n".to_owned(), below(rng, 100).into());
            Value::Json(object.into())
        }
        Kind::Interval => {
            Value::Interval(Interval::new(0, 0, below(rng, 10_000) as i64 * 60_000_000))
        }
        Kind::Inet => {
            let [a, b, c] = [0; 3].map(|_| below(rng, 256) as u8);
            Value::Inet(IpAddr::V4(Ipv4Addr::new(10, a, b, c)))
        }
        Kind::Bytea => {
            let mut bytes = vec![0_u8; 8];
            rng.fill_bytes(&mut bytes);
            Value::Bytes(bytes)
        }
        Kind::Enum(values) => Value::Label(values[below(rng, values.len() as u64) as usize]),
    }
}

/// An array of up to three `kind` values.
pub(super) fn array(rng: &mut ChaCha8Rng, kind: &Kind, (table, column): (&str, &str)) -> Value {
    let n = below(rng, 4) as usize;
    Value::Array(
        (0..n)
            .map(|i| value(rng, kind, (table, column), i, false))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use rand_core::SeedableRng;

    use super::*;

    #[test]
    fn a_name_is_a_persons_only_on_a_table_of_people() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for i in 0..20 {
            let person = text(&mut rng, "users", "name", i, false);
            assert!(person.contains(' '), "{person}");
            let tag = text(&mut rng, "tags", "name", i, false);
            assert!(!tag.contains(' ') && !tag.is_empty(), "{tag}");
        }
    }
}
