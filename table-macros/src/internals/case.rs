//! Case conversion for names derived from Rust identifiers.

/// The words of a Rust identifier: `PublishedLate` and `published_late`
/// both give `["published", "late"]`.
fn words(ident: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for ch in ident.chars() {
        if ch == '_' || ch == '-' {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if ch.is_uppercase() && prev_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        prev_lower = ch.is_lowercase() || ch.is_ascii_digit();
        current.extend(ch.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `PublishedLate` -> `published_late`.
pub fn snake(ident: &str) -> String {
    words(ident).join("_")
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The spellings `rename_all` accepts.
pub const RENAME_RULES: &[&str] = &[
    "snake_case",
    "lowercase",
    "UPPERCASE",
    "SCREAMING_SNAKE_CASE",
    "kebab-case",
    "camelCase",
    "PascalCase",
];

/// `ident` spelled by a `rename_all` rule, or `None` for an unknown rule.
pub fn rename(ident: &str, rule: &str) -> Option<String> {
    let words = words(ident);
    Some(match rule {
        "snake_case" => words.join("_"),
        "lowercase" => words.concat(),
        "UPPERCASE" => words.concat().to_uppercase(),
        "SCREAMING_SNAKE_CASE" => words.join("_").to_uppercase(),
        "kebab-case" => words.join("-"),
        "camelCase" => {
            let mut out = words.first().cloned().unwrap_or_default();
            out.extend(words.iter().skip(1).map(|w| capitalized(w)));
            out
        }
        "PascalCase" => words.iter().map(|w| capitalized(w)).collect(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames() {
        assert_eq!(snake("PublishedLate"), "published_late");
        assert_eq!(snake("HTTPCode"), "httpcode");
        assert_eq!(
            rename("InReview", "kebab-case").as_deref(),
            Some("in-review")
        );
        assert_eq!(rename("InReview", "camelCase").as_deref(), Some("inReview"));
        assert_eq!(
            rename("InReview", "SCREAMING_SNAKE_CASE").as_deref(),
            Some("IN_REVIEW")
        );
        assert_eq!(
            rename("in_review", "PascalCase").as_deref(),
            Some("InReview")
        );
        assert_eq!(rename("Draft", "lowercase").as_deref(), Some("draft"));
        assert_eq!(rename("Draft", "Title Case"), None);
    }
}
