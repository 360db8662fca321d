//! `embed_migrations!("migrations")`: the migration files of a directory
//! (relative to the crate's manifest), baked into the binary.

use std::path::{Path, PathBuf};

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::LitStr;

pub fn embed(input: TokenStream) -> TokenStream {
    match expand(input) {
        Ok(tokens) => tokens,
        Err(err) => err.to_compile_error(),
    }
}

/// `0001_init` -> 1: the rule the runtime applies to files too.
use pgtable_naming::migration_version as version;

fn expand(input: TokenStream) -> syn::Result<TokenStream> {
    let lit: LitStr = syn::parse2(input)?;
    let root = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .ok_or_else(|| {
            syn::Error::new(
                Span::call_site(),
                "CARGO_MANIFEST_DIR is not set: build with cargo",
            )
        })?;
    let dir: PathBuf = root.join(lit.value());
    let entries = std::fs::read_dir(&dir).map_err(|err| {
        syn::Error::new(
            lit.span(),
            format_args!(
                "cannot read the migrations directory {}: {err}",
                dir.display()
            ),
        )
    })?;
    let mut files: Vec<(u32, String, PathBuf)> = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|err| {
                syn::Error::new(
                    lit.span(),
                    format_args!("cannot read {}: {err}", dir.display()),
                )
            })?
            .path();
        if path.extension().and_then(|e| e.to_str()) != Some("sql") {
            continue;
        }
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        // A down migration is run by `migrate down` from the directory.
        if pgtable_naming::is_down_migration(&stem) {
            continue;
        }
        let Some(v) = version(&stem) else {
            return Err(syn::Error::new(
                lit.span(),
                format_args!(
                    "{}: a migration file is named NNNN_name.sql",
                    path.display()
                ),
            ));
        };
        if let Some((_, other, _)) = files.iter().find(|(n, _, _)| *n == v) {
            return Err(syn::Error::new(
                lit.span(),
                format_args!("{stem} and {other} have the same number: renumber one of them"),
            ));
        }
        files.push((v, stem, path));
    }
    files.sort_by_key(|(v, _, _)| *v);
    let entries = files.iter().map(|(v, name, path)| {
        let path = path_str(path);
        quote!((#v, #name, include_str!(#path)))
    });
    Ok(quote! {
        ::pgtable::migrate::embedded(&[#(#entries),*])
    })
}

fn path_str(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}
