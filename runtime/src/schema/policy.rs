//! Row-level security: the policies of a table, as `#[table(policy(…))]`
//! declares them.

/// One row-level security policy (`CREATE POLICY`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PolicyDef {
    /// The policy's name.
    pub name: &'static str,
    /// `AS RESTRICTIVE` rather than `AS PERMISSIVE`.
    pub restrictive: bool,
    /// The command it applies to: `all`, `select`, `insert`, `update` or
    /// `delete`.
    pub command: &'static str,
    /// The roles it applies to; empty is `public` (every role).
    pub to: &'static [&'static str],
    /// Which existing rows are visible (or may be updated or deleted), as
    /// SQL over the row.
    pub using: Option<&'static str>,
    /// Which new rows may be written, as SQL over the row.
    pub with_check: Option<&'static str>,
}

impl PolicyDef {
    /// A permissive policy for all commands and roles, with no conditions.
    pub const fn new(name: &'static str) -> Self {
        PolicyDef {
            name,
            restrictive: false,
            command: "all",
            to: &[],
            using: None,
            with_check: None,
        }
    }

    /// Makes the policy restrictive: every restrictive policy must pass, on
    /// top of one permissive policy.
    pub const fn restrictive(mut self) -> Self {
        self.restrictive = true;
        self
    }

    /// Limits the policy to one command.
    pub const fn command(mut self, command: &'static str) -> Self {
        self.command = command;
        self
    }

    /// Limits the policy to these roles.
    pub const fn to(mut self, roles: &'static [&'static str]) -> Self {
        self.to = roles;
        self
    }

    /// Sets the condition existing rows must meet.
    pub const fn using(mut self, expr: &'static str) -> Self {
        self.using = Some(expr);
        self
    }

    /// Sets the condition written rows must meet.
    pub const fn with_check(mut self, expr: &'static str) -> Self {
        self.with_check = Some(expr);
        self
    }
}
