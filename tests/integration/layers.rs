//! The runtime is a stack: each top-level module of `runtime/src` may use
//! (`crate::…`) only modules below it in the list that `runtime/src/lib.rs`
//! declares ("Layers, bottom up: …"). Test code (after `#[cfg(test)]`) and
//! the macro support module `private` are not counted.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file of `runtime/src` belongs to.
fn top_module(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap();
    let first = relative
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_owned()
}

/// The `crate::name` modules a source text uses, outside its tests.
fn uses(text: &str) -> Vec<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or(text);
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            found.push(name);
        }
    }
    found
}

#[test]
fn runtime_modules_import_only_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("runtime/src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let declared: Vec<String> = lib
        .lines()
        .find_map(|line| line.strip_prefix("//! Layers, bottom up: "))
        .expect("runtime/src/lib.rs declares its layers")
        .split(',')
        .map(|m| m.trim().to_owned())
        .collect();
    let rank = |m: &str| declared.iter().position(|d| d == m);

    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut edges: BTreeMap<(String, String), PathBuf> = BTreeMap::new();
    for file in &files {
        let module = top_module(&src, file);
        if module == "lib" || module == "private" {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        for used in uses(&text) {
            if used != module && used != "private" {
                edges
                    .entry((module.clone(), used))
                    .or_insert_with(|| file.clone());
            }
        }
        assert!(
            rank(&module).is_some(),
            "runtime module `{module}` is missing from the layers in runtime/src/lib.rs"
        );
    }
    let wrong: Vec<String> = edges
        .iter()
        .filter(|((from, to), _)| match (rank(from), rank(to)) {
            (Some(a), Some(b)) => b >= a,
            _ => true,
        })
        .map(|((from, to), file)| {
            format!(
                "{from} uses {to} (in {}), which is not below it",
                file.display()
            )
        })
        .collect();
    assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
}
