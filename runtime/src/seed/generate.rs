//! One value for one column, as PostgreSQL's text form (the insert casts
//! it to the column's type): chosen from the column's type, its length or
//! precision, a range its checks give, and what its name suggests.

use rand_chacha::ChaCha8Rng;
use rand_core::RngCore;

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
    Timestamp {
        zone: bool,
    },
    Date,
    Time,
    Json,
    Interval,
    Inet,
    Bytea,
    Enum(&'static [&'static str]),
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
        "timestamp" | "timestamp without time zone" => Kind::Timestamp { zone: false },
        "timestamptz" | "timestamp with time zone" => Kind::Timestamp { zone: true },
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
            } else if arg("timestamp").is_some() {
                Kind::Timestamp { zone: false }
            } else if arg("timestamptz").is_some() {
                Kind::Timestamp { zone: true }
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

/// A text value for a column called `name`; `i` is the row's number,
/// embedded where the column must be unique.
pub(super) fn text(rng: &mut ChaCha8Rng, column: &str, i: usize, unique: bool) -> String {
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
    } else if has("name") {
        faked(name::Name(), rng)
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

/// A value of `kind` in PostgreSQL's text form. `range` bounds an integer
/// (from a check); `unique` asks for a value no other row has (row `i`).
pub(super) fn value(
    rng: &mut ChaCha8Rng,
    kind: &Kind,
    column: &str,
    i: usize,
    unique: bool,
) -> String {
    match kind {
        Kind::Bool => if below(rng, 2) == 0 { "false" } else { "true" }.to_owned(),
        Kind::Int { min, max } if unique => (min + i as i64).min(*max).to_string(),
        Kind::Int { min, max } => {
            let span = (max - min).clamp(0, 999) as u64 + 1;
            (min + below(rng, span) as i64).to_string()
        }
        Kind::Float => format!("{}.{:02}", below(rng, 1000), below(rng, 100)),
        Kind::Numeric {
            range: Some((lo, hi)),
            ..
        } => {
            let span = (hi - lo).clamp(0, 999_999) as u64 + 1;
            (lo + below(rng, span) as i64).to_string()
        }
        Kind::Numeric {
            whole_digits,
            scale,
            range: None,
        } => {
            let whole = below(rng, 10_u64.pow((*whole_digits).min(6)));
            if *scale == 0 {
                whole.to_string()
            } else {
                let frac = below(rng, 10_u64.pow(*scale));
                format!("{whole}.{frac:0width$}", width = *scale as usize)
            }
        }
        Kind::Text { max_len } => {
            let text = text(rng, column, i, unique);
            match max_len {
                Some(max) if text.chars().count() > *max => {
                    // Keep the row number (the unique part) at the end.
                    let tag = if unique { i.to_string() } else { String::new() };
                    let keep = max.saturating_sub(tag.len());
                    format!("{}{tag}", text.chars().take(keep).collect::<String>())
                }
                _ => text,
            }
        }
        Kind::Uuid => {
            let mut bytes = [0_u8; 16];
            rng.fill_bytes(&mut bytes);
            uuid::Builder::from_random_bytes(bytes)
                .into_uuid()
                .to_string()
        }
        Kind::Timestamp { zone } => {
            // In the two years before 2026-01-01: fixed, so that a seed
            // gives the same rows on any day.
            let seconds = 1_767_225_600 - below(rng, 2 * 365 * 86_400) as i64;
            let at = chrono::DateTime::from_timestamp(seconds, 0).unwrap_or_default();
            let text = at.format("%Y-%m-%d %H:%M:%S").to_string();
            if *zone { format!("{text}+00") } else { text }
        }
        Kind::Date => {
            let days = below(rng, 3 * 365) as i64;
            let date = chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap_or_default()
                + chrono::Days::new(days as u64);
            date.to_string()
        }
        Kind::Time => format!(
            "{:02}:{:02}:{:02}",
            below(rng, 24),
            below(rng, 60),
            below(rng, 60)
        ),
        Kind::Json => format!(
            r#"{{"{}": "{}", "n": {}}}"#,
            word(rng),
            word(rng),
            below(rng, 100)
        ),
        Kind::Interval => format!("{} minutes", below(rng, 10_000)),
        Kind::Inet => format!(
            "10.{}.{}.{}",
            below(rng, 256),
            below(rng, 256),
            below(rng, 256)
        ),
        Kind::Bytea => {
            let mut bytes = [0_u8; 8];
            rng.fill_bytes(&mut bytes);
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            format!("\\x{hex}")
        }
        Kind::Enum(values) => values[below(rng, values.len() as u64) as usize].to_owned(),
    }
}

/// An array literal of up to three `kind` values: `{"a","b"}`.
pub(super) fn array(rng: &mut ChaCha8Rng, kind: &Kind, column: &str) -> String {
    let n = below(rng, 4) as usize;
    let items: Vec<String> = (0..n)
        .map(|i| {
            let v = value(rng, kind, column, i, false);
            format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
        })
        .collect();
    format!("{{{}}}", items.join(","))
}
