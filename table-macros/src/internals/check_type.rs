//! Rules of the attributes that set a column's type: one at a time, and
//! lengths, precisions and scales PostgreSQL accepts.

use super::ast::Column;
use super::check::{at_most_one, not_blank};
use super::ctxt::Ctxt;

pub fn check_one_type(cx: &Ctxt, column: &Column) {
    let a = &column.attrs;
    at_most_one(
        cx,
        &[
            ("varchar(N)", a.varchar.span()),
            ("numeric(P, S)", a.numeric.span()),
            ("char(N)", a.char.span()),
            ("timestamp(P)", a.timestamp.span()),
            ("timestamptz(P)", a.timestamptz.span()),
            ("json", a.json.span()),
            ("sql_type", a.sql_type.span()),
        ],
        "both set the column type",
    );
    if let Some((precision, scale)) = a.numeric.get() {
        match precision.base10_parse::<u32>() {
            Ok(p) if (1..=1000).contains(&p) => {
                if let Some(scale) = scale
                    && !scale.base10_parse::<u32>().is_ok_and(|s| s <= p)
                {
                    cx.error_spanned_by(
                        scale,
                        format_args!("`numeric(P, S)` needs a scale from 0 to the precision, {p}"),
                    );
                }
            }
            _ => cx.error_spanned_by(
                precision,
                "`numeric(P, S)` needs a precision from 1 to 1000 (digits in all), such as `numeric(10, 2)`",
            ),
        }
    }
    if let Some(len) = a.char.get()
        && !len
            .base10_parse::<u32>()
            .is_ok_and(|n| (1..=10_485_760).contains(&n))
    {
        cx.error_spanned_by(len, "`char(N)` needs a length from 1 to 10485760");
    }
    for (key, precision) in [("timestamp", &a.timestamp), ("timestamptz", &a.timestamptz)] {
        if let Some(p) = precision.get()
            && !p.base10_parse::<u8>().is_ok_and(|p| p <= 6)
        {
            cx.error_spanned_by(
                p,
                format_args!(
                    "`{key}(P)` needs a precision from 0 to 6 (fractional digits of a second), such as `{key}(3)`"
                ),
            );
        }
    }
    check_varchar_len(cx, column);
    not_blank(
        cx,
        a.sql_type.get(),
        "`sql_type` needs a PostgreSQL type, such as `sql_type = \"citext\"`",
    );
}

fn check_varchar_len(cx: &Ctxt, column: &Column) {
    if let Some(len) = column.attrs.varchar.get() {
        match len.base10_parse::<u32>() {
            Ok(n) if (1..=10_485_760).contains(&n) => {}
            _ => cx.error_spanned_by(
                len,
                "`varchar(N)` needs a length from 1 to 10485760; for unlimited text leave the attribute out (String is `text`)",
            ),
        }
    }
}
