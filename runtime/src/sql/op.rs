//! SQL's operators as values, so a statement's shape is data, not strings
//! to be inspected.

/// A binary operator: `lhs <op> rhs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `=`
    Eq,
    /// `<>`
    Ne,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `LIKE`
    Like,
    /// `ILIKE`
    ILike,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `= ANY(array)`
    EqAny,
    /// `<> ALL(array)`
    NeAll,
    /// `||`: text (or array) concatenation.
    Concat,
    /// `@>`: contains (arrays, jsonb).
    Contains,
    /// `<@`: is contained by (arrays, jsonb).
    ContainedBy,
    /// `&&`: have elements in common (arrays).
    Overlaps,
    /// `->`: a jsonb field, as jsonb.
    JsonGet,
    /// `->>`: a jsonb field, as text.
    JsonGetText,
    /// `#>>`: the jsonb value at a path, as text.
    JsonPathText,
    /// `?`: a jsonb object has the key.
    HasKey,
    /// `IN (subquery)`
    In,
    /// `NOT IN (subquery)`
    NotIn,
}

impl BinaryOp {
    /// The operator as SQL writes it: `=`, `= ANY`.
    pub fn as_str(self) -> &'static str {
        self.between_operands().trim().trim_end_matches('(')
    }

    /// The operator with what surrounds it between its operands, written in
    /// one piece: ` = `, or ` = ANY(` before an array operand, which the
    /// caller closes.
    pub fn between_operands(self) -> &'static str {
        match self {
            BinaryOp::Eq => " = ",
            BinaryOp::Ne => " <> ",
            BinaryOp::Gt => " > ",
            BinaryOp::Ge => " >= ",
            BinaryOp::Lt => " < ",
            BinaryOp::Le => " <= ",
            BinaryOp::Like => " LIKE ",
            BinaryOp::ILike => " ILIKE ",
            BinaryOp::Add => " + ",
            BinaryOp::Sub => " - ",
            BinaryOp::Mul => " * ",
            BinaryOp::Div => " / ",
            BinaryOp::EqAny => " = ANY(",
            BinaryOp::NeAll => " <> ALL(",
            BinaryOp::Concat => " || ",
            BinaryOp::Contains => " @> ",
            BinaryOp::ContainedBy => " <@ ",
            BinaryOp::Overlaps => " && ",
            BinaryOp::JsonGet => " -> ",
            BinaryOp::JsonGetText => " ->> ",
            BinaryOp::JsonPathText => " #>> ",
            BinaryOp::HasKey => " ? ",
            BinaryOp::In => " IN ",
            BinaryOp::NotIn => " NOT IN ",
        }
    }

    /// Whether the right-hand side is an array in parentheses, as for
    /// `= ANY($1)`.
    pub fn takes_array(self) -> bool {
        matches!(self, BinaryOp::EqAny | BinaryOp::NeAll)
    }
}

/// How conditions are joined: `(a AND b)`, `(a OR b)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Logic {
    /// `AND`; no condition at all is `TRUE`.
    And,
    /// `OR`; no condition at all is `FALSE`.
    Or,
}

impl Logic {
    /// The keyword: `AND`.
    pub fn as_str(self) -> &'static str {
        self.separator().trim()
    }

    /// The keyword between two conditions: ` AND `.
    pub fn separator(self) -> &'static str {
        match self {
            Logic::And => " AND ",
            Logic::Or => " OR ",
        }
    }

    /// What no condition at all means.
    pub fn empty(self) -> &'static str {
        match self {
            Logic::And => "TRUE",
            Logic::Or => "FALSE",
        }
    }
}

/// A postfix test: `expr IS NULL`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PostfixOp {
    /// `IS NULL`
    IsNull,
    /// `IS NOT NULL`
    IsNotNull,
}

impl PostfixOp {
    /// The test as SQL writes it: `IS NULL`.
    pub fn as_str(self) -> &'static str {
        self.after_operand().trim_start()
    }

    /// The test after its operand: ` IS NULL`.
    pub fn after_operand(self) -> &'static str {
        match self {
            PostfixOp::IsNull => " IS NULL",
            PostfixOp::IsNotNull => " IS NOT NULL",
        }
    }
}

/// The direction of an `ORDER BY` key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `ASC`
    Asc,
    /// `DESC`
    Desc,
}

impl Direction {
    /// The keyword after the key: ` ASC`.
    pub fn after_operand(self) -> &'static str {
        match self {
            Direction::Asc => " ASC",
            Direction::Desc => " DESC",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_are_spelled_bare_and_spaced() {
        for (op, bare, spaced) in [
            (BinaryOp::Eq, "=", " = "),
            (BinaryOp::Ge, ">=", " >= "),
            (BinaryOp::ILike, "ILIKE", " ILIKE "),
            (BinaryOp::EqAny, "= ANY", " = ANY("),
            (BinaryOp::NeAll, "<> ALL", " <> ALL("),
            (BinaryOp::JsonPathText, "#>>", " #>> "),
            (BinaryOp::NotIn, "NOT IN", " NOT IN "),
        ] {
            assert_eq!((op.as_str(), op.between_operands()), (bare, spaced));
            let close = if op.takes_array() { "(" } else { " " };
            assert_eq!(op.between_operands(), format!(" {}{close}", op.as_str()));
        }
        assert_eq!((Logic::Or.as_str(), Logic::Or.separator()), ("OR", " OR "));
        assert_eq!(
            (
                PostfixOp::IsNotNull.as_str(),
                PostfixOp::IsNotNull.after_operand()
            ),
            ("IS NOT NULL", " IS NOT NULL")
        );
        assert_eq!(Direction::Desc.after_operand(), " DESC");
    }
}
