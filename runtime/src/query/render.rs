//! How an expression writes itself: the one place SQL's precedence is
//! decided (an operand that is not atomic is parenthesized).

use super::expr::{Node, NodeKind};
use crate::schema::{ColumnDef, TableDef};
use crate::sql::{BinaryOp, Fragment, SharedValue, SqlWriter};

impl Fragment for Node {
    fn write<'a>(&'a self, w: &mut SqlWriter<'a>) {
        write_node(w, self);
    }
}

fn write_node<'a>(w: &mut SqlWriter<'a>, node: &'a Node) {
    use NodeKind::*;
    match &node.0 {
        Column { table, column } => w.column(table, column),
        AliasColumn { alias, name } => {
            w.ident(alias);
            w.push(".");
            w.ident(name);
        }
        Excluded(name) => {
            w.push("excluded.");
            w.ident(name);
        }
        Literal(sql) => w.push(sql),
        Call {
            name,
            distinct,
            arg,
            cast,
        } => {
            if cast.is_some() {
                w.push("CAST(");
            }
            w.push(name);
            w.push("(");
            if *distinct {
                w.push("DISTINCT ");
            }
            match arg {
                Some(arg) => write_node(w, arg),
                None => w.push("*"),
            }
            w.push(")");
            if let Some(ty) = cast {
                w.push(" AS ");
                w.push(ty);
                w.push(")");
            }
        }
        Param(value) => w.shared(value),
        Subquery(query) => query.write_subquery(w),
        Exists(negated, query) => {
            w.push(if *negated { "NOT EXISTS " } else { "EXISTS " });
            query.write_subquery(w);
        }
        Func { name, args } => {
            w.push(name);
            w.push("(");
            for (i, arg) in args.iter().enumerate() {
                if i > 0 {
                    w.push(", ");
                }
                write_node(w, arg);
            }
            w.push(")");
        }
        Fragment { pieces, args } => {
            for (i, piece) in pieces.iter().enumerate() {
                w.push(piece);
                if let Some(arg) = args.get(i) {
                    write_operand(w, arg);
                }
            }
        }
        Placeholder { name, value_type } => {
            let (type_id, type_name) = value_type();
            w.placeholder(name, type_id, type_name);
        }
        Binary(operands, op) => {
            let [lhs, rhs] = &**operands;
            write_operand(w, lhs);
            write_op(w, *op);
            if op.takes_array() {
                write_node(w, rhs);
                w.push(")");
            } else {
                write_operand(w, rhs);
            }
        }
        ColumnValue {
            table,
            column,
            op,
            value,
        } => write_column_value(w, table, column, *op, value),
        ColumnColumn { lhs, op, rhs } => {
            w.column(lhs.0, lhs.1);
            write_op(w, *op);
            w.column(rhs.0, rhs.1);
            if op.takes_array() {
                w.push(")");
            }
        }
        ColumnPostfix { table, column, op } => {
            w.column(table, column);
            w.push(op.after_operand());
        }
        Group(op, items) => {
            if let [single] = items.as_slice() {
                return write_node(w, single);
            }
            w.push("(");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    w.push(op.separator());
                }
                match &item.0 {
                    // The commonest item, written here rather than by
                    // another call of this function.
                    ColumnValue {
                        table,
                        column,
                        op,
                        value,
                    } => write_column_value(w, table, column, *op, value),
                    // A fragment's own precedence is unknown: kept apart.
                    Fragment { .. } => write_operand(w, item),
                    _ => write_node(w, item),
                }
            }
            w.push(")");
        }
        Not(inner) => {
            w.push("NOT ");
            write_operand(w, inner);
        }
        Postfix(inner, op) => {
            write_operand(w, inner);
            w.push(op.after_operand());
        }
        Between(value, low, high) => {
            write_operand(w, value);
            w.push(" BETWEEN ");
            write_operand(w, low);
            w.push(" AND ");
            write_operand(w, high);
        }
    }
}

/// `"table"."column" <op> $n`.
#[inline]
fn write_column_value<'a>(
    w: &mut SqlWriter<'a>,
    table: &TableDef,
    column: &ColumnDef,
    op: BinaryOp,
    value: &'a SharedValue,
) {
    w.column(table, column);
    write_op(w, op);
    w.shared(value);
    if op.takes_array() {
        w.push(")");
    }
}

/// ` <op> ` between a binary operation's operands, or ` <op>(` before an
/// array operand (`= ANY(`), which the caller closes.
fn write_op(w: &mut SqlWriter<'_>, op: BinaryOp) {
    w.push(op.between_operands());
}

/// A node inside another: parenthesized unless it is atomic.
fn write_operand<'a>(w: &mut SqlWriter<'a>, node: &'a Node) {
    use NodeKind::*;
    match &node.0 {
        Column { .. }
        | AliasColumn { .. }
        | Excluded(_)
        | Param(_)
        | Placeholder { .. }
        | Group(..)
        | Literal(_)
        | Call { .. }
        | Func { .. }
        | Subquery(_)
        | Exists(..) => write_node(w, node),
        _ => {
            w.push("(");
            write_node(w, node);
            w.push(")");
        }
    }
}
