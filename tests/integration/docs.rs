//! The guides in `docs/` show no pseudo-code: every pgtable line in their
//! tables appears in one of their Rust blocks, which the doc tests compile
//! (`src/lib.rs` includes each guide under `#[cfg(doctest)]`).

use std::path::Path;

/// The text of every Rust block in `markdown`, hidden lines included.
fn rust_blocks(markdown: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            inside = !inside && trimmed.starts_with("```rust");
            continue;
        }
        if inside {
            let code = trimmed.strip_prefix("# ").unwrap_or(trimmed);
            out.push_str(code);
            out.push('\n');
        }
    }
    out
}

/// The code spans of the last cell of each table row.
fn table_code(markdown: &str) -> Vec<String> {
    let mut spans = Vec::new();
    for line in markdown.lines().filter(|l| l.starts_with('|')) {
        let row = line.replace("\\|", "\u{1}");
        let cell = row.trim_end_matches('|').rsplit('|').next().unwrap_or("");
        for (i, part) in cell.split('`').enumerate() {
            if i % 2 == 1 && !part.is_empty() {
                spans.push(part.replace('\u{1}', "|"));
            }
        }
    }
    spans
}

/// Whether `span` (with `…` standing for anything) is in `code`.
fn appears(span: &str, code: &str) -> bool {
    let mut rest = code;
    for piece in span.split('…').map(str::trim).filter(|p| !p.is_empty()) {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    true
}

#[test]
fn every_pgtable_line_of_the_guides_is_compiled() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/coming-from-drizzle.md");
    let guide = std::fs::read_to_string(&path).unwrap();
    let code = rust_blocks(&guide);
    // Shell commands (drizzle-kit's table) are run by the CLI tests.
    let missing: Vec<String> = table_code(&guide)
        .into_iter()
        .filter(|span| !span.starts_with("cargo ") && !span.starts_with("db "))
        .filter(|span| !appears(span, &code))
        .collect();
    assert!(
        missing.is_empty(),
        "in {} but in none of its Rust blocks: {missing:#?}",
        path.display()
    );
}
