//! Row-level security on a table: `rls`, and `policy(name = "…", as =
//! "permissive", for = "select", to = "app_user", using = "…", with_check =
//! "…")`, repeated for each policy.

use proc_macro2::Span;
use syn::LitStr;
use syn::meta::ParseNestedMeta;

use super::ctxt::Ctxt;
use super::keys::unknown_key;

/// The keys of a table-level `policy(...)`.
pub const POLICY_KEYS: &[&str] = &["name", "as", "for", "to", "using", "with_check"];

/// What `for` accepts.
const COMMANDS: &[&str] = &["all", "select", "insert", "update", "delete"];

/// What `as` accepts.
const KINDS: &[&str] = &["permissive", "restrictive"];

/// One `policy(...)`.
pub struct TablePolicy {
    pub span: Span,
    pub name: Option<LitStr>,
    /// `as`: permissive or restrictive.
    pub kind: Option<LitStr>,
    /// `for`: the command.
    pub command: Option<LitStr>,
    /// `to = "role"`, or `to("a", "b")`.
    pub to: Vec<LitStr>,
    pub using: Option<LitStr>,
    pub with_check: Option<LitStr>,
}

/// Parses `policy(...)`.
pub fn table_policy(cx: &Ctxt, meta: &ParseNestedMeta, span: Span) -> syn::Result<TablePolicy> {
    let mut policy = TablePolicy {
        span,
        name: None,
        kind: None,
        command: None,
        to: Vec::new(),
        using: None,
        with_check: None,
    };
    meta.parse_nested_meta(|inner| {
        let slot = if inner.path.is_ident("name") {
            &mut policy.name
        } else if inner.path.is_ident("as") {
            &mut policy.kind
        } else if inner.path.is_ident("for") {
            &mut policy.command
        } else if inner.path.is_ident("using") {
            &mut policy.using
        } else if inner.path.is_ident("with_check") {
            &mut policy.with_check
        } else if inner.path.is_ident("to") {
            if inner.input.peek(syn::token::Paren) {
                let content;
                syn::parenthesized!(content in inner.input);
                let roles = content
                    .parse_terminated(<LitStr as syn::parse::Parse>::parse, syn::Token![,])?;
                policy.to.extend(roles);
            } else {
                policy.to.push(inner.value()?.parse()?);
            }
            return Ok(());
        } else {
            return unknown_key(cx, &inner, "policy", POLICY_KEYS);
        };
        if slot.is_some() {
            return Err(inner.error("this policy key is given twice"));
        }
        *slot = Some(inner.value()?.parse()?);
        Ok(())
    })?;
    Ok(policy)
}

/// The rules of the table's policies: each named once, with a known `as`
/// and `for`, conditions PostgreSQL accepts for that command, and no blank
/// SQL.
pub fn check_policies(cx: &Ctxt, policies: &[TablePolicy]) {
    let mut seen: Vec<String> = Vec::new();
    for policy in policies {
        let Some(name) = &policy.name else {
            cx.error_at(
                policy.span,
                "a policy needs a name: `policy(name = \"own_rows\", for = \"select\", using = \"…\")`",
            );
            continue;
        };
        if name.value().trim().is_empty() {
            cx.error_spanned_by(name, "a policy name cannot be empty");
        } else if seen.contains(&name.value()) {
            cx.error_spanned_by(
                name,
                format_args!("the table has two policies named `{}`", name.value()),
            );
        }
        seen.push(name.value());
        for (key, lit, allowed) in [
            ("as", &policy.kind, KINDS),
            ("for", &policy.command, COMMANDS),
        ] {
            if let Some(lit) = lit
                && !allowed.contains(&lit.value().as_str())
            {
                cx.error_spanned_by(
                    lit,
                    format_args!("`{key}` is one of: {}", allowed.join(", ")),
                );
            }
        }
        let command = policy
            .command
            .as_ref()
            .map_or("all".to_owned(), LitStr::value);
        if let Some(check) = &policy.with_check
            && matches!(command.as_str(), "select" | "delete")
        {
            cx.error_spanned_by(
                check,
                format_args!(
                    "a `{command}` policy cannot have `with_check`: it writes no rows; write the condition in `using`"
                ),
            );
        }
        if let Some(using) = &policy.using
            && command == "insert"
        {
            cx.error_spanned_by(
                using,
                "an `insert` policy cannot have `using`: there are no existing rows; write the condition in `with_check`",
            );
        }
        for sql in [&policy.using, &policy.with_check].into_iter().flatten() {
            if sql.value().trim().is_empty() {
                cx.error_spanned_by(
                    sql,
                    "a policy condition needs SQL, such as `owner_id = current_user`",
                );
            }
        }
        for role in &policy.to {
            if role.value().trim().is_empty() {
                cx.error_spanned_by(role, "a role name cannot be empty");
            }
        }
    }
}
