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
    /// The operator as SQL writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Eq => "=",
            BinaryOp::Ne => "<>",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Like => "LIKE",
            BinaryOp::ILike => "ILIKE",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::EqAny => "= ANY",
            BinaryOp::NeAll => "<> ALL",
            BinaryOp::Concat => "||",
            BinaryOp::Contains => "@>",
            BinaryOp::ContainedBy => "<@",
            BinaryOp::Overlaps => "&&",
            BinaryOp::JsonGet => "->",
            BinaryOp::JsonGetText => "->>",
            BinaryOp::JsonPathText => "#>>",
            BinaryOp::HasKey => "?",
            BinaryOp::In => "IN",
            BinaryOp::NotIn => "NOT IN",
        }
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
    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Logic::And => "AND",
            Logic::Or => "OR",
        }
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
    /// The test as SQL writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            PostfixOp::IsNull => "IS NULL",
            PostfixOp::IsNotNull => "IS NOT NULL",
        }
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
    fn operators_in_one_piece_are_the_operators_spaced() {
        use BinaryOp::*;
        for op in [
            Eq,
            Ne,
            Gt,
            Ge,
            Lt,
            Le,
            Like,
            ILike,
            Add,
            Sub,
            Mul,
            Div,
            EqAny,
            NeAll,
            Concat,
            Contains,
            ContainedBy,
            Overlaps,
            JsonGet,
            JsonGetText,
            JsonPathText,
            HasKey,
            In,
            NotIn,
        ] {
            let close = if op.takes_array() { "(" } else { " " };
            assert_eq!(op.between_operands(), format!(" {}{close}", op.as_str()));
        }
        for logic in [Logic::And, Logic::Or] {
            assert_eq!(logic.separator(), format!(" {} ", logic.as_str()));
        }
        for op in [PostfixOp::IsNull, PostfixOp::IsNotNull] {
            assert_eq!(op.after_operand(), format!(" {}", op.as_str()));
        }
    }
}
