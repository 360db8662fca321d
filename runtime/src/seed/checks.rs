//! Checks, as far as seeding can honour them: a range on one integer
//! column (`rating >= 1 AND rating <= 5`, `rating BETWEEN 1 AND 5`), and a
//! non-empty text (`slug <> ''`). Any other check names columns that need
//! a generator given by hand.

/// What one check allows, where seeding understands it.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Understood {
    /// (column, lowest, highest) for integer ranges.
    pub ranges: Vec<(String, i64, i64)>,
}

/// Reads `expr`, or returns `None` when some part of it is not a form
/// seeding understands.
pub(super) fn understand(expr: &str) -> Option<Understood> {
    // PostgreSQL spells `rating >= 0` on a numeric column
    // `rating >= (0)::numeric`: the casts of numbers say nothing here.
    let expr = ["::numeric", "::integer", "::bigint", "::smallint"]
        .iter()
        .fold(expr.to_owned(), |e, cast| e.replace(cast, ""));
    let expr = strip_parens(expr.trim());
    let mut out = Understood::default();
    let lower = expr.to_ascii_lowercase();
    // `x BETWEEN a AND b`: as a whole, before splitting on AND.
    if let Some((column, rest)) = lower.split_once(" between ") {
        let (lo, hi) = rest.split_once(" and ")?;
        out.ranges.push((
            ident(column)?,
            lo.trim().parse().ok()?,
            hi.trim().parse().ok()?,
        ));
        return Some(out);
    }
    for part in lower.split(" and ") {
        let part = strip_parens(part.trim());
        if let Some(column) = part
            .strip_suffix("<> ''::text")
            .or_else(|| part.strip_suffix("<> ''"))
        {
            // Generated text is never empty.
            ident(column)?;
            continue;
        }
        let (column, op, number) = ["<=", ">=", "<", ">"].iter().find_map(|op| {
            let (c, n) = part.split_once(op)?;
            Some((c, *op, strip_parens(n.trim()).parse::<i64>().ok()?))
        })?;
        let (lo, hi) = match op {
            ">=" => (number, i64::MAX),
            ">" => (number + 1, i64::MAX),
            "<=" => (i64::MIN, number),
            _ => (i64::MIN, number - 1),
        };
        out.ranges.push((ident(column)?, lo, hi));
    }
    Some(out)
}

/// `text` without parentheses around all of it (`(a) and (b)` keeps its).
fn strip_parens(mut text: &str) -> &str {
    while let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        // The first parenthesis must close at the very end.
        let mut depth = 0_i32;
        let closes_early = inner.chars().any(|c| {
            depth += match c {
                '(' => 1,
                ')' => -1,
                _ => 0,
            };
            depth < 0
        });
        if closes_early {
            break;
        }
        text = inner.trim();
    }
    text
}

/// A bare or double-quoted column name.
fn ident(text: &str) -> Option<String> {
    let text = strip_parens(text.trim());
    let text = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    text.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
        .then(|| text.to_owned())
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_non_empty_text_are_understood() {
        let r = |c: &str, lo, hi| (c.to_owned(), lo, hi);
        assert_eq!(
            understand("rating BETWEEN 1 AND 5").unwrap().ranges,
            [r("rating", 1, 5)]
        );
        assert_eq!(
            understand("(rating >= 0) AND (rating < 10)")
                .unwrap()
                .ranges,
            [r("rating", 0, i64::MAX), r("rating", i64::MIN, 9)]
        );
        assert!(understand("slug <> ''").unwrap().ranges.is_empty());
        assert_eq!(
            understand("(((rating >= (0)::numeric) AND (rating <= (10)::numeric)))")
                .unwrap()
                .ranges,
            [r("rating", 0, i64::MAX), r("rating", i64::MIN, 10)]
        );
        assert!(understand("starts_at < ends_at").is_none());
        assert!(understand("lower(email) = email").is_none());
    }
}
