//! The names of PostgreSQL types as the schema model and the DDL spell
//! them, and the description of an enum type.

use std::fmt;

/// The name of a PostgreSQL type as the DDL spells it.
///
/// Built-in names (`integer`, `varchar(255)`, `timestamp with time zone`) are
/// written as they are; user-defined names (an enum type, say) are quoted as
/// identifiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SqlTypeName {
    name: &'static str,
    schema: Option<&'static str>,
    user_defined: bool,
    array_dims: u8,
}

impl SqlTypeName {
    /// A built-in type, written verbatim: `"integer"`, `"varchar(255)"`.
    pub const fn builtin(name: &'static str) -> Self {
        SqlTypeName {
            name,
            schema: None,
            user_defined: false,
            array_dims: 0,
        }
    }

    /// A user-defined type (for example an enum), quoted as an identifier in DDL.
    pub const fn user_defined(name: &'static str) -> Self {
        SqlTypeName {
            name,
            schema: None,
            user_defined: true,
            array_dims: 0,
        }
    }

    /// A user-defined type in a named schema: `"app"."status"`.
    pub const fn user_defined_in(schema: &'static str, name: &'static str) -> Self {
        SqlTypeName {
            name,
            schema: Some(schema),
            user_defined: true,
            array_dims: 0,
        }
    }

    /// An array of this type: `integer` becomes `integer[]`.
    pub const fn array(self) -> Self {
        SqlTypeName {
            array_dims: self.array_dims + 1,
            ..self
        }
    }

    /// The type's name without array brackets or quotes.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// Whether the name is a user-defined type (quoted in DDL).
    pub const fn is_user_defined(&self) -> bool {
        self.user_defined
    }

    /// How many array dimensions wrap the element type (0 for a scalar).
    pub const fn array_dims(&self) -> u8 {
        self.array_dims
    }
}

impl fmt::Display for SqlTypeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.user_defined {
            if let Some(schema) = self.schema {
                f.write_str(&crate::sql::quote_ident(schema))?;
                f.write_str(".")?;
            }
            f.write_str(&crate::sql::quote_ident(self.name))?;
        } else {
            f.write_str(self.name)?;
        }
        for _ in 0..self.array_dims {
            f.write_str("[]")?;
        }
        Ok(())
    }
}

/// A PostgreSQL enum type, as `#[derive(PgEnum)]` describes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnumDef {
    /// The type's name.
    pub name: &'static str,
    /// The schema it lives in; `None` is `public`.
    pub schema: Option<&'static str>,
    /// The values, in order.
    pub values: &'static [&'static str],
}

impl EnumDef {
    /// An enum type `name` with `values`.
    pub const fn new(name: &'static str, values: &'static [&'static str]) -> Self {
        EnumDef {
            name,
            schema: None,
            values,
        }
    }

    /// Puts the type in a named schema.
    pub const fn schema(mut self, schema: &'static str) -> Self {
        self.schema = Some(schema);
        self
    }

    /// Whether `other` is the same type (same schema and name).
    pub fn is(&self, other: &EnumDef) -> bool {
        self.name == other.name
            && self.schema.unwrap_or("public") == other.schema.unwrap_or("public")
    }
}
