//! The written form of a prepared query ([`Plan`]) and the values given
//! to its placeholders ([`Bindings`]): what every prepared query but an
//! insert runs with.

use std::any::{Any, TypeId};
use std::borrow::Cow;

use postgres_types::ToSql;

use super::Built;
use crate::error::Error;
use crate::sql::{SharedValue, SqlWriter, StatementMemo, Target};

/// Where a parameter of a prepared query gets its value when it runs.
enum Source {
    /// A value fixed when the query was built.
    Value(SharedValue),
    /// The value given to the placeholder with this index.
    Placeholder(usize),
}

/// A placeholder of a prepared query: its name and the type it takes.
struct Named {
    name: &'static str,
    type_id: TypeId,
    type_name: &'static str,
}

/// A statement written once: its text, where each parameter's value comes
/// from, and its placeholders. Shared by every prepared query but inserts
/// (whose values come from a row).
pub(crate) struct Plan {
    sql: String,
    /// Each parameter's value, in order.
    params: Vec<Source>,
    /// The placeholders, each name once.
    placeholders: Vec<Named>,
    /// The columns values go to, to name one the server rejects.
    targets: Box<[Target]>,
    reads: bool,
    /// The statement as prepared on each connection it ran on.
    memo: StatementMemo,
}

impl Plan {
    /// The plan of a statement written by a writer that kept its values.
    pub(crate) fn new(mut built: Built<'_>) -> Plan {
        assert!(
            !built.lost,
            "every value a prepared query binds can be kept"
        );
        let mut placeholders: Vec<Named> = Vec::new();
        let mut params: Vec<Option<Source>> = (0..built.params.len()).map(|_| None).collect();
        for (param, value) in std::mem::take(&mut built.kept) {
            params[param] = Some(Source::Value(value));
        }
        for slot in &built.slots {
            let index = match placeholders.iter().position(|p| p.name == slot.name) {
                Some(index) => index,
                None => {
                    placeholders.push(Named {
                        name: slot.name,
                        type_id: slot.type_id,
                        type_name: slot.type_name,
                    });
                    placeholders.len() - 1
                }
            };
            params[slot.param] = Some(Source::Placeholder(index));
        }
        let params = params
            .into_iter()
            .map(|source| source.expect("every parameter is a value or a placeholder"))
            .collect();
        Plan {
            params,
            placeholders,
            targets: built.targets.iter().copied().collect(),
            reads: built.reads,
            memo: StatementMemo::default(),
            sql: built.into_sql(),
        }
    }

    pub(crate) fn sql(&self) -> &str {
        &self.sql
    }

    /// No placeholder given a value yet.
    pub(crate) fn unbound(&self) -> Bindings {
        Bindings {
            values: self.placeholders.iter().map(|_| None).collect(),
            error: None,
        }
    }
}

/// The values given to a prepared query's placeholders, or the first
/// mistake made in giving them.
pub(crate) struct Bindings {
    /// Each placeholder's value, once given.
    values: Vec<Option<SharedValue>>,
    /// The first mistake: the placeholder's name and what is wrong.
    error: Option<Box<(String, String)>>,
}

impl Bindings {
    /// Gives placeholder `name` of `plan` a value (at every place it is used).
    pub(crate) fn bind<V: ToSql + Send + Sync + 'static>(
        &mut self,
        plan: &Plan,
        name: &str,
        value: V,
    ) {
        if self.error.is_some() {
            return;
        }
        let placeholders = &plan.placeholders;
        // The same literal, as when the name is a constant, is found
        // without reading the text.
        let index = placeholders
            .iter()
            .position(|p| std::ptr::eq(p.name, name))
            .or_else(|| placeholders.iter().position(|p| p.name == name));
        let Some(index) = index else {
            let known: Vec<&str> = placeholders.iter().map(|p| p.name).collect();
            let has = if known.is_empty() {
                "it has none".to_owned()
            } else {
                format!("it has: {}", known.join(", "))
            };
            self.error = Some(Box::new((
                name.to_owned(),
                format!("the query has no such placeholder; {has}"),
            )));
            return;
        };
        let placeholder = &placeholders[index];
        let value = if TypeId::of::<V>() == placeholder.type_id {
            SharedValue::new(value)
        } else if let (true, Some(text)) = (
            placeholder.type_id == TypeId::of::<String>(),
            (&value as &dyn Any).downcast_ref::<&'static str>(),
        ) {
            // A `&str` goes to the server as text, as a `String` would.
            SharedValue::new(*text)
        } else {
            self.error = Some(Box::new((
                name.to_owned(),
                format!(
                    "it takes a `{}`, but was given a `{}`",
                    short_type_name(placeholder.type_name),
                    short_type_name(std::any::type_name::<V>())
                ),
            )));
            return;
        };
        self.values[index] = Some(value);
    }

    /// The statement: the SQL written at `prepare`, with the values kept
    /// then and those bound now, without walking the query again.
    pub(crate) fn statement<'q>(&'q self, plan: &'q Plan) -> Result<Built<'q>, Error> {
        if let Some(error) = &self.error {
            let (name, reason) = &**error;
            return Err(Error::Placeholder {
                name: name.clone(),
                reason: reason.clone(),
            });
        }
        let mut params: Vec<&(dyn ToSql + Sync)> = Vec::with_capacity(plan.params.len());
        for source in &plan.params {
            params.push(match source {
                Source::Value(value) => value.as_sql(),
                Source::Placeholder(index) => match &self.values[*index] {
                    Some(value) => value.as_sql(),
                    None => {
                        let name = plan.placeholders[*index].name;
                        return Err(Error::Placeholder {
                            name: name.to_owned(),
                            reason: format!(
                                "it has no value: call .bind(\"{name}\", value) before running the query"
                            ),
                        });
                    }
                },
            });
        }
        let mut built = SqlWriter::written(&plan.sql, params);
        built.reads = plan.reads;
        built.targets = Cow::Borrowed(&plan.targets);
        built.memo = Some(&plan.memo);
        Ok(built)
    }
}

/// A type's name as a person writes it: `Option<String>`, not
/// `core::option::Option<alloc::string::String>`.
fn short_type_name(full: &str) -> String {
    let mut out = String::with_capacity(full.len());
    let mut segment = String::new();
    let mut chars = full.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            segment.clear();
        } else if c.is_alphanumeric() || c == '_' {
            segment.push(c);
        } else {
            out.push_str(&segment);
            segment.clear();
            out.push(c);
        }
    }
    out.push_str(&segment);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn type_names_read_as_written() {
        assert_eq!(super::short_type_name("alloc::string::String"), "String");
        assert_eq!(
            super::short_type_name("core::option::Option<alloc::string::String>"),
            "Option<String>"
        );
        assert_eq!(super::short_type_name("&str"), "&str");
    }
}
