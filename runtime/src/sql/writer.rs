//! The one writer every statement goes through: it owns the SQL text and
//! the bind parameters, and notes on the way what the statement is.

use std::any::{Any, TypeId};
use std::borrow::Cow;
use std::sync::Arc;

use postgres_types::{IsNull, ToSql, Type, to_sql_checked};

use super::memo::StatementMemo;
use super::quote::{push_ident, push_ident_list, push_literal, push_table_name};

/// A piece of a statement that writes itself: its text into the writer,
/// its values as bind parameters, never as text.
pub trait Fragment {
    /// Writes this piece.
    fn write<'a>(&'a self, w: &mut SqlWriter<'a>);
}

/// Where a bind parameter's value goes: a column of a table, for errors
/// PostgreSQL raises without naming one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Target {
    pub param: usize,
    pub table: &'static str,
    pub column: &'static str,
}

/// A named parameter of a prepared query, to be given when it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Slot {
    /// Its position among the bind parameters.
    pub param: usize,
    pub name: &'static str,
    /// The Rust type it takes.
    pub type_id: TypeId,
    pub type_name: &'static str,
}

/// A value a statement binds, owned so that a prepared query can keep it.
/// The commonest kinds (a flag, an integer, text) are held in place; any
/// other value is shared. Each value of an ad hoc query used to be an
/// allocation, and a `&str` two (its copy, then the share of it).
#[derive(Clone, Debug)]
pub(crate) enum SharedValue {
    Bool(bool),
    Int4(i32),
    Int8(i64),
    /// A string literal, as a placeholder is often given.
    Static(&'static str),
    Text(SharedText),
    Other(Arc<dyn ToSql + Send + Sync>),
}

impl SharedValue {
    /// `value`, held in place when it is of a kind kept so.
    pub(crate) fn new<V: ToSql + Send + Sync + 'static>(value: V) -> Self {
        // Each test is of a type known when this is compiled for `V`:
        // all but one fall away.
        let mut value = Some(value);
        let any = &mut value as &mut dyn Any;
        if let Some(v) = any.downcast_mut::<Option<bool>>().and_then(Option::take) {
            return SharedValue::Bool(v);
        }
        if let Some(v) = any.downcast_mut::<Option<i32>>().and_then(Option::take) {
            return SharedValue::Int4(v);
        }
        if let Some(v) = any.downcast_mut::<Option<i64>>().and_then(Option::take) {
            return SharedValue::Int8(v);
        }
        if let Some(v) = any
            .downcast_mut::<Option<&'static str>>()
            .and_then(Option::take)
        {
            return SharedValue::Static(v);
        }
        if let Some(v) = any
            .downcast_mut::<Option<SharedText>>()
            .and_then(Option::take)
        {
            return SharedValue::Text(v);
        }
        match value {
            Some(value) => SharedValue::Other(Arc::new(value)),
            None => unreachable!("only a value of a kind held in place was taken"),
        }
    }

    /// The value, to bind.
    pub(crate) fn as_sql(&self) -> &(dyn ToSql + Sync) {
        match self {
            SharedValue::Bool(v) => v,
            SharedValue::Int4(v) => v,
            SharedValue::Int8(v) => v,
            SharedValue::Static(v) => v,
            SharedValue::Text(v) => v,
            SharedValue::Other(v) => &**v,
        }
    }
}

/// Text a statement binds, sent as a `&str` is. Short text (most names,
/// codes and e-mail addresses) is held in place, in the room the shared
/// form takes anyway; longer text is one allocation.
#[derive(Clone)]
pub(crate) struct SharedText(Text);

/// The bytes `SharedText` holds in place: with their length and the tag,
/// as many as an `Arc<str>` and a tag take.
const INLINE: usize = 22;

#[derive(Clone)]
enum Text {
    Inline { len: u8, bytes: [u8; INLINE] },
    Shared(Arc<str>),
}

impl SharedText {
    fn as_str(&self) -> &str {
        match &self.0 {
            // Always whole characters: the bytes are a copy of a `&str`.
            Text::Inline { len, bytes } => std::str::from_utf8(&bytes[..usize::from(*len)])
                .expect("text held in place is a copy of a str"),
            Text::Shared(text) => text,
        }
    }
}

impl From<&str> for SharedText {
    fn from(text: &str) -> Self {
        match u8::try_from(text.len()) {
            Ok(len) if text.len() <= INLINE => {
                let mut bytes = [0; INLINE];
                bytes[..text.len()].copy_from_slice(text.as_bytes());
                SharedText(Text::Inline { len, bytes })
            }
            _ => SharedText(Text::Shared(Arc::from(text))),
        }
    }
}

impl std::fmt::Debug for SharedText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
}

impl ToSql for SharedText {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        <&str as ToSql>::to_sql(&self.as_str(), ty, out)
    }

    fn accepts(ty: &Type) -> bool {
        <&str as ToSql>::accepts(ty)
    }

    to_sql_checked!();
}

/// What a placeholder binds until it is given a value: sending it is an
/// error, never a NULL.
#[derive(Debug)]
struct Unbound;

impl ToSql for Unbound {
    fn to_sql(
        &self,
        _: &Type,
        _: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        Err("a placeholder was sent without a value".into())
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

static UNBOUND: Unbound = Unbound;

/// An SQL statement being written: its text, its bind parameters, and
/// what the one pass over its parts learned: whether it only reads, where
/// its values go, and its placeholders.
///
/// A writer told to [keep its values](SqlWriter::keep_values) also keeps a handle on each
/// value it binds: how a prepared query, written once, knows its values
/// without walking its parts again.
#[doc(hidden)]
pub struct SqlWriter<'a> {
    sql: String,
    /// Text written earlier (a prepared query's), used instead of `sql`.
    written: Option<&'a str>,
    /// Whether to keep the values bound (see [`SqlWriter::keep_values`]).
    keep: bool,
    /// The values kept, with their parameter positions.
    pub(crate) kept: Vec<(usize, SharedValue)>,
    /// Set when a value could not be kept.
    pub(crate) lost: bool,
    pub(crate) params: Vec<&'a (dyn ToSql + Sync)>,
    /// The columns values go to (borrowed from a prepared statement's).
    pub(crate) targets: Cow<'a, [Target]>,
    pub(crate) slots: Vec<Slot>,
    pub(crate) reads: bool,
    /// Where a statement written once remembers how each connection
    /// prepared it.
    pub(crate) memo: Option<&'a StatementMemo>,
}

impl Default for SqlWriter<'_> {
    fn default() -> Self {
        SqlWriter::new()
    }
}

impl<'a> SqlWriter<'a> {
    /// A statement that may write.
    pub(crate) fn new() -> Self {
        // Room for a typical statement's text; its parameters get theirs at
        // the first (`make_room_for_params`).
        SqlWriter::with_text(String::with_capacity(256), Vec::new())
    }

    fn with_text(sql: String, params: Vec<&'a (dyn ToSql + Sync)>) -> Self {
        SqlWriter {
            sql,
            written: None,
            keep: false,
            kept: Vec::new(),
            lost: false,
            params,
            targets: Cow::Borrowed(&[]),
            slots: Vec::new(),
            reads: false,
            memo: None,
        }
    }

    /// From here on, keeps every value bound, in `kept`: for a statement
    /// written once and run many times.
    pub(crate) fn keep_values(&mut self) {
        self.keep = true;
    }

    /// A statement written earlier, with its parameters.
    pub(crate) fn written(sql: &'a str, params: Vec<&'a (dyn ToSql + Sync)>) -> Self {
        SqlWriter {
            written: Some(sql),
            ..SqlWriter::with_text(String::new(), params)
        }
    }

    /// A statement that only reads (and may go to a read replica).
    pub(crate) fn read() -> Self {
        SqlWriter {
            reads: true,
            ..SqlWriter::new()
        }
    }

    /// A statement taking the given text as it is, with `params`.
    pub(crate) fn raw(sql: impl Into<String>, params: Vec<&'a (dyn ToSql + Sync)>) -> Self {
        SqlWriter::with_text(sql.into(), params)
    }

    /// The text so far.
    pub fn sql(&self) -> &str {
        self.written.unwrap_or(&self.sql)
    }

    /// Appends SQL text.
    pub(crate) fn push(&mut self, sql: &str) {
        self.sql.push_str(sql);
    }

    /// Appends a bind parameter: `$n`. A writer [keeping](Self::keep_values)
    /// its values cannot keep this one; use [`Self::shared`] or
    /// [`Self::copied`] where the statement may be prepared.
    #[inline]
    pub(crate) fn param(&mut self, value: &'a (dyn ToSql + Sync)) {
        self.lost |= self.keep;
        self.bind(value);
    }

    /// A bind parameter whose value is shared, so it can be kept.
    pub(crate) fn shared(&mut self, value: &'a SharedValue) {
        if self.keep {
            self.kept.push((self.params.len(), value.clone()));
        }
        self.bind(value.as_sql());
    }

    /// A bind parameter of a small value, copied when it is kept.
    pub(crate) fn copied<V: ToSql + Clone + Send + Sync + 'static>(&mut self, value: &'a V) {
        if self.keep {
            self.kept
                .push((self.params.len(), SharedValue::new(value.clone())));
        }
        self.bind(value);
    }

    #[inline]
    fn bind(&mut self, value: &'a (dyn ToSql + Sync)) {
        if self.params.capacity() == 0 {
            self.make_room_for_params();
        }
        self.params.push(value);
        let n = self.params.len();
        self.sql.push('$');
        if n < 10 {
            // Most statements: one digit.
            self.sql.push(char::from(b'0' + n as u8));
        } else {
            self.sql.push_str(itoa::Buffer::new().format(n));
        }
    }

    /// Room for `params` more bind parameters, each with its target, and
    /// `text` more bytes of text: for a statement whose size is known
    /// before it is written (a multi-row insert), so that nothing grows
    /// while it is.
    pub(crate) fn reserve(&mut self, params: usize, text: usize) {
        self.params.reserve(params);
        self.targets.to_mut().reserve(params);
        self.sql.reserve(text);
    }

    /// Room for a typical statement's parameters, made at the first one: a
    /// statement without any allocates none.
    #[cold]
    #[inline(never)]
    fn make_room_for_params(&mut self) {
        self.params = Vec::with_capacity(8);
    }

    /// A named parameter whose value is given when the statement runs.
    pub(crate) fn placeholder(
        &mut self,
        name: &'static str,
        type_id: TypeId,
        type_name: &'static str,
    ) {
        self.slots.push(Slot {
            param: self.params.len(),
            name,
            type_id,
            type_name,
        });
        self.bind(&UNBOUND);
    }

    /// A bind parameter whose value goes to `column` of `table`.
    #[inline]
    pub(crate) fn param_for(
        &mut self,
        value: &'a (dyn ToSql + Sync),
        table: &'static str,
        column: &'static str,
    ) {
        self.param(value);
        self.target(table, column);
    }

    /// One row of a `VALUES` list, `($1, DEFAULT, …)`: each value a bind
    /// parameter going to its column of `table`, or `DEFAULT` where it is
    /// `None`. Written here in one step, as the values of a multi-row
    /// insert are most of its text.
    pub(crate) fn values_row(
        &mut self,
        table: &'static str,
        values: impl Iterator<Item = (Option<&'a (dyn ToSql + Sync)>, &'static str)>,
    ) {
        self.sql.push('(');
        for (i, (value, column)) in values.enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            match value {
                Some(value) => self.param_for(value, table, column),
                None => self.sql.push_str("DEFAULT"),
            }
        }
        self.sql.push(')');
    }

    /// Notes that the last bind parameter's value goes to `column` of `table`.
    #[inline]
    pub(crate) fn target(&mut self, table: &'static str, column: &'static str) {
        self.targets.to_mut().push(Target {
            param: self.params.len() - 1,
            table,
            column,
        });
    }

    /// An identifier, quoted.
    pub(crate) fn ident(&mut self, ident: &str) {
        push_ident(&mut self.sql, ident);
    }

    /// A table's name: `"users"`, or `"app"."users"` outside `public`.
    pub(crate) fn table_name(&mut self, schema: &str, name: &str) {
        push_table_name(&mut self.sql, schema, name);
    }

    /// A name always qualified by its schema, as types are named:
    /// `"public"."status"`.
    pub(crate) fn full_name(&mut self, schema: &str, name: &str) {
        self.ident(schema);
        self.push(".");
        self.ident(name);
    }

    /// Identifiers separated by `,`: `"a","b"`.
    pub(crate) fn ident_list<S: AsRef<str>>(&mut self, idents: &[S]) {
        push_ident_list(&mut self.sql, idents);
    }

    /// A string literal, quoted: `'it''s'` (for DDL, which takes no bind
    /// parameters).
    pub(crate) fn literal(&mut self, value: &str) {
        push_literal(&mut self.sql, value);
    }

    /// Any fragment.
    pub(crate) fn write<F: Fragment + ?Sized>(&mut self, fragment: &'a F) {
        fragment.write(self);
    }

    /// The text written.
    pub(crate) fn into_sql(self) -> String {
        match self.written {
            Some(written) => written.to_owned(),
            None => self.sql,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Equals(&'static str, i32);

    impl Fragment for Equals {
        fn write<'a>(&'a self, w: &mut SqlWriter<'a>) {
            w.ident(self.0);
            w.push(" = ");
            w.param_for(&self.1, "t", self.0);
        }
    }

    #[test]
    fn one_pass_writes_text_binds_and_targets() {
        let (a, b) = (Equals("a\"b", 1), Equals("c", 2));
        let mut w = SqlWriter::read();
        w.push("SELECT * FROM ");
        w.table_name("app", "t");
        w.push(" WHERE ");
        w.write(&a);
        w.push(" AND ");
        w.write(&b);
        assert_eq!(
            w.sql(),
            r#"SELECT * FROM "app"."t" WHERE "a""b" = $1 AND "c" = $2"#
        );
        assert_eq!(w.params.len(), 2);
        assert_eq!(w.targets[1].column, "c");
        assert!(w.reads);
    }

    #[test]
    fn values_rows_number_past_nine_and_target_only_their_values() {
        let values: Vec<i32> = (1..=12).collect();
        let mut w = SqlWriter::new();
        for row in values.chunks(3) {
            if !w.params.is_empty() {
                w.push(", ");
            }
            w.values_row(
                "t",
                row.iter()
                    .map(|v| Some(v as &(dyn ToSql + Sync)))
                    .chain([None])
                    .zip(["a", "b", "c", "d"]),
            );
        }
        assert_eq!(
            w.sql(),
            "($1, $2, $3, DEFAULT), ($4, $5, $6, DEFAULT), ($7, $8, $9, DEFAULT), \
             ($10, $11, $12, DEFAULT)"
        );
        assert_eq!(w.params.len(), 12);
        let columns: Vec<_> = w.targets.iter().map(|t| (t.param, t.column)).collect();
        assert_eq!(columns[9..], [(9, "a"), (10, "b"), (11, "c")]);
    }

    #[test]
    fn common_values_are_held_in_place_and_bind_as_themselves() {
        assert!(matches!(SharedValue::new(true), SharedValue::Bool(true)));
        assert!(matches!(SharedValue::new(7_i32), SharedValue::Int4(7)));
        assert!(matches!(SharedValue::new(7_i64), SharedValue::Int8(7)));
        assert!(matches!(
            SharedValue::new("lit"),
            SharedValue::Static("lit")
        ));
        assert!(matches!(
            SharedValue::new(SharedText::from("t")),
            SharedValue::Text(_)
        ));
        assert!(matches!(SharedValue::new(7_i16), SharedValue::Other(_)));
        assert!(matches!(
            SharedValue::new(Some(7_i32)),
            SharedValue::Other(_)
        ));
        // Text is encoded as a `&str` is, and accepted where it is.
        let encode = |value: &(dyn ToSql + Sync), ty: &Type| {
            let mut out = bytes::BytesMut::new();
            value
                .to_sql_checked(ty, &mut out)
                .map(|_| out.to_vec())
                .ok()
        };
        // Short and long, each side of what is held in place.
        for s in [
            "",
            "héllo",
            "exactly 22 bytes here.",
            "twenty-three bytes here",
            "é".repeat(40).as_str(),
        ] {
            let text = SharedValue::new(SharedText::from(s));
            assert_eq!(format!("{text:?}"), format!("Text({s:?})"));
            for ty in [Type::TEXT, Type::VARCHAR, Type::INT4] {
                assert_eq!(encode(text.as_sql(), &ty), encode(&s, &ty), "{s:?} as {ty}");
            }
        }
        assert!(matches!(
            SharedText::from("exactly 22 bytes here.").0,
            Text::Inline { len: 22, .. }
        ));
        assert!(matches!(
            SharedText::from("twenty-three bytes here").0,
            Text::Shared(_)
        ));
        // Held in place, text takes no more room than a shared value.
        assert_eq!(std::mem::size_of::<SharedValue>(), 24);
        assert_eq!(
            encode(SharedValue::new(7_i32).as_sql(), &Type::INT4),
            encode(&7_i32, &Type::INT4)
        );
    }
}
