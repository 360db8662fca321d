//! Property test of the SQL writer: random condition trees (AND/OR/NOT
//! nesting, comparisons, arithmetic, IN, NULL tests, LIKE) over a small
//! table are written as SQL, which the real server must accept, and the
//! rows it returns must be the rows the same condition selects when
//! evaluated in Rust with SQL's three-valued logic. This is what catches
//! precedence and parenthesisation mistakes.

use crate::common;

use common::TestDb;
use pgtable::prelude::*;
use pgtable::{Expr, ValueExpr, not};
use proptest::prelude::*;

#[table(name = "props")]
#[derive(Debug, Clone, PartialEq)]
pub struct Prop {
    #[column(primary_key)]
    pub id: i32,
    pub a: Option<i32>,
    pub b: Option<i32>,
    pub t: Option<String>,
}

/// The rows: every combination of a few values, NULLs included.
fn rows() -> Vec<Prop> {
    let ints = [None, Some(-2), Some(0), Some(1), Some(3)];
    let texts = [None, Some("x"), Some("xy"), Some("yx"), Some("")];
    let mut rows = Vec::new();
    for (i, a) in ints.iter().enumerate() {
        for (j, b) in ints.iter().enumerate() {
            rows.push(Prop {
                id: (i * 10 + j) as i32,
                a: *a,
                b: *b,
                t: texts[(i + j) % texts.len()].map(str::to_owned),
            });
        }
    }
    rows
}

#[derive(Clone, Copy, Debug)]
enum IntCol {
    A,
    B,
}

#[derive(Clone, Copy, Debug)]
enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// An integer value: a column, maybe with arithmetic on constants.
#[derive(Clone, Debug)]
enum Value {
    Col(IntCol),
    Add(Box<Value>, i32),
    Mul(Box<Value>, i32),
    Sub(Box<Value>, i32),
}

#[derive(Clone, Debug)]
enum Cond {
    Compare(Value, Cmp, i32),
    IsNull(IntCol),
    IsNotNull(IntCol),
    In(IntCol, Vec<i32>),
    NotIn(IntCol, Vec<i32>),
    Like(&'static str),
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
}

fn int_col() -> impl Strategy<Value = IntCol> {
    prop_oneof![Just(IntCol::A), Just(IntCol::B)]
}

fn value() -> impl Strategy<Value = Value> {
    int_col()
        .prop_map(Value::Col)
        .prop_recursive(2, 4, 1, |inner| {
            prop_oneof![
                (inner.clone(), -2..3i32).prop_map(|(v, k)| Value::Add(Box::new(v), k)),
                (inner.clone(), -2..3i32).prop_map(|(v, k)| Value::Mul(Box::new(v), k)),
                (inner, -2..3i32).prop_map(|(v, k)| Value::Sub(Box::new(v), k)),
            ]
        })
}

fn cond() -> impl Strategy<Value = Cond> {
    let cmp = prop_oneof![
        Just(Cmp::Eq),
        Just(Cmp::Ne),
        Just(Cmp::Lt),
        Just(Cmp::Le),
        Just(Cmp::Gt),
        Just(Cmp::Ge)
    ];
    let leaf = prop_oneof![
        (value(), cmp, -3..4i32).prop_map(|(v, c, k)| Cond::Compare(v, c, k)),
        int_col().prop_map(Cond::IsNull),
        int_col().prop_map(Cond::IsNotNull),
        (int_col(), prop::collection::vec(-2..4i32, 0..3)).prop_map(|(c, v)| Cond::In(c, v)),
        (int_col(), prop::collection::vec(-2..4i32, 0..3)).prop_map(|(c, v)| Cond::NotIn(c, v)),
        prop_oneof![Just("x%"), Just("%y"), Just("_"), Just("%")].prop_map(Cond::Like),
    ];
    leaf.prop_recursive(3, 24, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Cond::And),
            prop::collection::vec(inner.clone(), 0..4).prop_map(Cond::Or),
            inner.prop_map(|c| Cond::Not(Box::new(c))),
        ]
    })
}

// ---- the condition as pgtable writes it ----

fn column(c: IntCol) -> Column<Prop, Option<i32>> {
    match c {
        IntCol::A => Prop::A,
        IntCol::B => Prop::B,
    }
}

fn value_expr(v: &Value) -> ValueExpr<Prop, Option<i32>> {
    match v {
        Value::Col(c) => column(*c).add(0),
        Value::Add(v, k) => value_expr(v).add(*k),
        Value::Mul(v, k) => value_expr(v).mul(*k),
        Value::Sub(v, k) => value_expr(v).sub(*k),
    }
}

fn to_expr(c: &Cond) -> Expr<Prop> {
    match c {
        Cond::Compare(v, cmp, k) => {
            let v = value_expr(v);
            match cmp {
                Cmp::Eq => v.eq(*k),
                Cmp::Ne => v.ne(*k),
                Cmp::Lt => v.lt(*k),
                Cmp::Le => v.le(*k),
                Cmp::Gt => v.gt(*k),
                Cmp::Ge => v.ge(*k),
            }
        }
        Cond::IsNull(c) => column(*c).is_null(),
        Cond::IsNotNull(c) => column(*c).is_not_null(),
        Cond::In(c, values) => column(*c).is_in(values.clone()),
        Cond::NotIn(c, values) => column(*c).not_in(values.clone()),
        Cond::Like(pattern) => Prop::T.like(*pattern),
        Cond::And(items) => Expr::all(items.iter().map(to_expr)),
        Cond::Or(items) => Expr::any(items.iter().map(to_expr)),
        Cond::Not(inner) => not(to_expr(inner)),
    }
}

// ---- the same condition evaluated in Rust, with NULL as None ----

fn get(row: &Prop, c: IntCol) -> Option<i32> {
    match c {
        IntCol::A => row.a,
        IntCol::B => row.b,
    }
}

fn eval_value(row: &Prop, v: &Value) -> Option<i32> {
    match v {
        Value::Col(c) => get(row, *c),
        Value::Add(v, k) => eval_value(row, v).map(|x| x + k),
        Value::Mul(v, k) => eval_value(row, v).map(|x| x * k),
        Value::Sub(v, k) => eval_value(row, v).map(|x| x - k),
    }
}

fn like(text: &str, pattern: &str) -> bool {
    match pattern {
        "x%" => text.starts_with('x'),
        "%y" => text.ends_with('y'),
        "_" => text.chars().count() == 1,
        "%" => true,
        other => unreachable!("pattern {other}"),
    }
}

fn eval(row: &Prop, c: &Cond) -> Option<bool> {
    match c {
        Cond::Compare(v, cmp, k) => eval_value(row, v).map(|x| match cmp {
            Cmp::Eq => x == *k,
            Cmp::Ne => x != *k,
            Cmp::Lt => x < *k,
            Cmp::Le => x <= *k,
            Cmp::Gt => x > *k,
            Cmp::Ge => x >= *k,
        }),
        Cond::IsNull(c) => Some(get(row, *c).is_none()),
        Cond::IsNotNull(c) => Some(get(row, *c).is_some()),
        // ANY over an empty array is false, ALL true, even for NULL.
        Cond::In(_, values) if values.is_empty() => Some(false),
        Cond::NotIn(_, values) if values.is_empty() => Some(true),
        Cond::In(c, values) => get(row, *c).map(|x| values.contains(&x)),
        Cond::NotIn(c, values) => get(row, *c).map(|x| !values.contains(&x)),
        Cond::Like(pattern) => row.t.as_deref().map(|t| like(t, pattern)),
        Cond::And(items) => {
            let results: Vec<Option<bool>> = items.iter().map(|i| eval(row, i)).collect();
            if results.contains(&Some(false)) {
                Some(false)
            } else if results.contains(&None) {
                None
            } else {
                Some(true)
            }
        }
        Cond::Or(items) => {
            let results: Vec<Option<bool>> = items.iter().map(|i| eval(row, i)).collect();
            if results.contains(&Some(true)) {
                Some(true)
            } else if results.contains(&None) {
                None
            } else {
                Some(false)
            }
        }
        Cond::Not(inner) => eval(row, inner).map(|b| !b),
    }
}

#[test]
fn written_conditions_select_what_sql_logic_says() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (test, db) = runtime.block_on(async {
        let test = TestDb::with_schema(&Schema::new().table::<Prop>()).await;
        let db = test.db();
        let new: Vec<NewProp> = rows()
            .into_iter()
            .map(|r| NewProp {
                id: r.id,
                a: r.a,
                b: r.b,
                t: r.t,
            })
            .collect();
        Prop::insert_many(new).execute(&db).await.unwrap();
        (test, db)
    });
    let data = rows();
    // A fixed seed, so every run tries the same 256 trees (a failure
    // reproduces); set PGTABLE_PROPTEST_SEED to explore others.
    let seed = std::env::var("PGTABLE_PROPTEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_126);
    let config = ProptestConfig {
        cases: 256,
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(seed),
        ..ProptestConfig::default()
    };
    proptest!(config, |(condition in cond())| {
        let query = Prop::select_columns(Prop::ID)
            .filter(to_expr(&condition))
            .order_by(Prop::ID);
        let sql = query.to_sql();
        let got: Vec<i32> = runtime
            .block_on(query.fetch_all(&db))
            .map_err(|err| TestCaseError::fail(format!("{sql}: {err}")))?;
        let want: Vec<i32> = data
            .iter()
            .filter(|row| eval(row, &condition) == Some(true))
            .map(|row| row.id)
            .collect();
        prop_assert_eq!(got, want, "{}", sql);
    });
    drop(db);
    runtime.block_on(async { drop(test) });
}
