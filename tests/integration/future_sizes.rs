//! How large the future of a statement is: what every in-flight query
//! holds, and what `tokio::spawn` or an axum handler moves; and how large
//! a query being built is. No server is needed: the futures are built,
//! never polled.
//!
//! The ceilings leave about a fifth of room over today's sizes. A future
//! past one has most likely grown a layer that keeps the future it wraps
//! twice (an `async fn` that takes a future and awaits it inside a timer
//! does that; `conn::timed` is a combinator for this reason), which took a
//! select's to 4.4 KB and an insert's to 6 KB.

use pgtable::prelude::*;
use pgtable::query::placeholder;

use crate::schema::{NewUser, User};

/// Bytes a statement's future may take.
const CEILING: usize = 3_584;

fn db() -> Db {
    // Built, not connected: a pool opens connections when asked for one.
    Db::builder("postgres://postgres@127.0.0.1:1/none")
        .build()
        .unwrap()
}

fn assert_within(what: &str, size: usize) {
    assert!(
        size <= CEILING,
        "the future of {what} takes {size} bytes, past {CEILING}: see this file's documentation"
    );
}

#[test]
fn statement_futures_stay_small() {
    let db = db();
    assert_within(
        "Select::fetch_all",
        size_of_val(&User::select().fetch_all(&db)),
    );
    assert_within(
        "Select::fetch_optional",
        size_of_val(&User::select().fetch_optional(&db)),
    );
    let prepared = User::select()
        .filter(User::EMAIL.eq(placeholder::<String>("email")))
        .prepare();
    assert_within(
        "a prepared select's fetch_all",
        size_of_val(&prepared.bind("email", "ann@x.io").fetch_all(&db)),
    );
    let new = NewUser {
        id: uuid::Uuid::nil(),
        email: "ann@x.io".into(),
        created_at: None,
    };
    assert_within(
        "Insert::execute",
        size_of_val(&User::insert(new).execute(&db)),
    );
    assert_within(
        "Update::execute",
        size_of_val(
            &User::update()
                .set(User::EMAIL, "bob@x.io")
                .filter(User::ID.eq(uuid::Uuid::nil()))
                .execute(&db),
        ),
    );
}

/// A query is moved into and out of every builder step (`filter`,
/// `order_by`, `limit`, `and`), so its size is much of what building one
/// costs: a `Select` of 240 bytes and nodes of 56 took a 5-condition
/// select to 3.9x a constant string in time, against 3.1x at these sizes
/// (benches/NOTES.md, `build_sql`). A clause few queries have belongs in
/// the select's boxed `MoreClauses`, and a large node kind in a box.
#[test]
fn query_values_stay_small() {
    assert!(
        size_of::<pgtable::query::Node>() <= 48,
        "an expression node takes {} bytes, past 48",
        size_of::<pgtable::query::Node>()
    );
    assert!(
        size_of::<pgtable::Select<User>>() <= 104,
        "a select takes {} bytes, past 104",
        size_of::<pgtable::Select<User>>()
    );
}
