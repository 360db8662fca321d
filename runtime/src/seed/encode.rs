//! Generated values in PostgreSQL's binary form, for the column's type as
//! the server has it: tokio-postgres's `ToSql` for every type it maps,
//! and the two forms it has no Rust type for here, `numeric` and enum
//! labels, written as the server's `numeric_send` and `enum_send` do.

use std::error::Error as StdError;

use bytes::{BufMut, BytesMut};
use chrono::{DateTime, Utc};
use postgres_types::{IsNull, Kind, ToSql, Type};

use super::generate::Value;

/// What encoding a value can fail with: a value the column's type does
/// not take.
pub(super) type EncodeError = Box<dyn StdError + Sync + Send>;

/// Appends `value` to `buf` in `ty`'s binary form.
pub(super) fn encode(value: &Value, ty: &Type, buf: &mut BytesMut) -> Result<(), EncodeError> {
    let written = match value {
        Value::Bool(b) => b.to_sql_checked(ty, buf),
        Value::Int(n) => match *ty {
            Type::INT2 => i16::try_from(*n)?.to_sql_checked(ty, buf),
            Type::INT4 => i32::try_from(*n)?.to_sql_checked(ty, buf),
            Type::NUMERIC => return numeric(*n, 0, buf),
            _ => n.to_sql_checked(ty, buf),
        },
        Value::Float(x) => match *ty {
            Type::FLOAT4 => (*x as f32).to_sql_checked(ty, buf),
            _ => x.to_sql_checked(ty, buf),
        },
        Value::Numeric { unscaled, scale } if *ty == Type::NUMERIC => {
            return numeric(*unscaled, *scale, buf);
        }
        Value::Numeric { .. } => return Err(mismatch("a numeric", ty)),
        Value::Text(text) => text.to_sql_checked(ty, buf),
        Value::Uuid(id) => id.to_sql_checked(ty, buf),
        Value::Timestamp(at) if *ty == Type::TIMESTAMPTZ => {
            DateTime::<Utc>::from_naive_utc_and_offset(*at, Utc).to_sql_checked(ty, buf)
        }
        Value::Timestamp(at) => at.to_sql_checked(ty, buf),
        Value::Date(day) => day.to_sql_checked(ty, buf),
        Value::Time(time) => time.to_sql_checked(ty, buf),
        Value::Json(json) => json.to_sql_checked(ty, buf),
        Value::Interval(interval) => interval.to_sql_checked(ty, buf),
        Value::Inet(ip) => ip.to_sql_checked(ty, buf),
        Value::Bytes(bytes) => bytes.to_sql_checked(ty, buf),
        Value::Label(label) => match ty.kind() {
            Kind::Enum(_) => {
                buf.put_slice(label.as_bytes());
                return Ok(());
            }
            _ => return Err(mismatch("an enum label", ty)),
        },
        Value::Array(items) => match ty.kind() {
            Kind::Array(member) => return array(items, member, buf),
            _ => return Err(mismatch("an array", ty)),
        },
    };
    match written? {
        IsNull::No => Ok(()),
        IsNull::Yes => Err("a generated value encoded as NULL".into()),
    }
}

fn mismatch(what: &str, ty: &Type) -> EncodeError {
    format!("{what} does not fit a column of type {ty}").into()
}

/// A one-dimensional array without NULLs, as `array_send` writes it.
fn array(items: &[Value], member: &Type, buf: &mut BytesMut) -> Result<(), EncodeError> {
    let dimensions = i32::from(!items.is_empty());
    buf.put_i32(dimensions);
    buf.put_i32(0); // no NULLs
    buf.put_u32(member.oid());
    if dimensions == 1 {
        buf.put_i32(i32::try_from(items.len())?);
        buf.put_i32(1); // lower bound
    }
    for item in items {
        let at = buf.len();
        buf.put_i32(0);
        encode(item, member, buf)?;
        let len = i32::try_from(buf.len() - at - 4)?;
        buf[at..at + 4].copy_from_slice(&len.to_be_bytes());
    }
    Ok(())
}

/// `unscaled / 10^scale` as `numeric_send` writes it: base-10,000 digits
/// from the most significant, the weight of the first, a sign and the
/// display scale.
fn numeric(unscaled: i64, scale: u32, buf: &mut BytesMut) -> Result<(), EncodeError> {
    let negative = unscaled < 0;
    let magnitude = unscaled.unsigned_abs() as u128;
    let ten = |n: u32| 10_u128.pow(n);
    let (whole, fraction) = (magnitude / ten(scale), magnitude % ten(scale));
    // Whole part: groups from the least significant, reversed below.
    let mut digits: Vec<i16> = Vec::new();
    let mut rest = whole;
    while rest > 0 {
        digits.push((rest % 10_000) as i16);
        rest /= 10_000;
    }
    digits.reverse();
    let mut weight = digits.len() as i16 - 1;
    // Fraction part: padded on the right to whole groups of four.
    let groups = scale.div_ceil(4);
    let padded = fraction * ten(groups * 4 - scale);
    for g in (0..groups).rev() {
        digits.push((padded / ten(g * 4) % 10_000) as i16);
    }
    while digits.first() == Some(&0) {
        digits.remove(0);
        weight -= 1;
    }
    while digits.last() == Some(&0) {
        digits.pop();
    }
    if digits.is_empty() {
        weight = 0;
    }
    buf.put_i16(i16::try_from(digits.len())?);
    buf.put_i16(weight);
    buf.put_u16(if negative && !digits.is_empty() {
        0x4000
    } else {
        0
    });
    buf.put_i16(i16::try_from(scale)?);
    for digit in digits {
        buf.put_i16(digit);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric_bytes(unscaled: i64, scale: u32) -> Vec<i16> {
        let mut buf = BytesMut::new();
        numeric(unscaled, scale, &mut buf).unwrap();
        buf.chunks(2)
            .map(|pair| i16::from_be_bytes([pair[0], pair[1]]))
            .collect()
    }

    #[test]
    fn numeric_is_written_as_the_server_writes_it() {
        // [ndigits, weight, sign, dscale, digits…], as `numeric_send`
        // gives for `SELECT 'x'::numeric` with the same scale.
        assert_eq!(numeric_bytes(0, 0), [0, 0, 0, 0]);
        assert_eq!(numeric_bytes(5, 0), [1, 0, 0, 0, 5]);
        assert_eq!(numeric_bytes(123_456_789, 0), [3, 2, 0, 0, 1, 2345, 6789]);
        // 12.34 (scale 2): one whole group, one fraction group 3400.
        assert_eq!(numeric_bytes(1234, 2), [2, 0, 0, 2, 12, 3400]);
        // 0.05 (scale 2): the leading zero group goes, weight -1.
        assert_eq!(numeric_bytes(5, 2), [1, -1, 0, 2, 500]);
        // -10000 (scale 0): weight 1, trailing zero group dropped.
        assert_eq!(numeric_bytes(-10_000, 0), [1, 1, 0x4000, 0, 1]);
        // 1.00000 (scale 5): two fraction groups, both zero, dropped.
        assert_eq!(numeric_bytes(100_000, 5), [1, 0, 0, 5, 1]);
    }

    #[test]
    fn arrays_carry_their_element_type_and_lengths() {
        let mut buf = BytesMut::new();
        let items = [Value::Text("a".into()), Value::Text("bc".into())];
        array(&items, &Type::TEXT, &mut buf).unwrap();
        let mut expected = vec![0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 25, 0, 0, 0, 2, 0, 0, 0, 1];
        expected.extend([0, 0, 0, 1, b'a', 0, 0, 0, 2, b'b', b'c']);
        assert_eq!(&buf[..], &expected[..]);
        let mut empty = BytesMut::new();
        array(&[], &Type::TEXT, &mut empty).unwrap();
        assert_eq!(&empty[..], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 25]);
    }

    #[test]
    fn a_value_of_another_type_is_an_error_not_garbage() {
        let mut buf = BytesMut::new();
        let err = encode(&Value::Label("draft"), &Type::INT4, &mut buf).unwrap_err();
        assert_eq!(
            err.to_string(),
            "an enum label does not fit a column of type int4"
        );
        assert!(encode(&Value::Int(70_000), &Type::INT2, &mut buf).is_err());
    }
}
