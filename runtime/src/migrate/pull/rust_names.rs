//! Rust names for SQL names: fields, struct and enum names, literals.

pub(super) fn fields(columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| field(c))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A Rust field name for a column.
pub(super) fn field(column: &str) -> String {
    let name = snake(column);
    let name = if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("c_{name}")
    } else {
        name
    };
    if KEYWORDS.contains(&name.as_str()) {
        format!("r#{name}")
    } else {
        name
    }
}

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
    "return", "static", "struct", "trait", "true", "type", "unsafe", "use", "where", "while",
];

/// `posts_to_categories` -> `PostsToCategory`: PascalCase, the last word
/// made singular.
pub(super) fn struct_name(table: &str) -> String {
    let name = pascal(table);
    if let Some(stem) = name.strip_suffix("ies") {
        format!("{stem}y")
    } else if name.ends_with('s') && !name.ends_with("ss") {
        name[..name.len() - 1].to_owned()
    } else {
        name
    }
}

pub(super) fn pascal(name: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for ch in name.chars() {
        if ch.is_ascii_alphanumeric() {
            if upper {
                out.push(ch.to_ascii_uppercase());
            } else {
                out.push(ch);
            }
            upper = false;
        } else {
            upper = true;
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) || out.is_empty() {
        out.insert(0, 'V');
    }
    out
}

pub(super) fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, ch) in name.chars().enumerate() {
        if ch.is_ascii_uppercase() {
            if i > 0 && !out.ends_with('_') {
                out.push('_');
            }
            out.push(ch.to_ascii_lowercase());
        } else if ch.is_ascii_alphanumeric() {
            out.push(ch);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out
}

/// A Rust string literal.
pub(super) fn lit(text: &str) -> String {
    format!("{text:?}")
}
