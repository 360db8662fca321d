//! Which tables a condition or value uses, checked against the tables a
//! query reads.
//!
//! A condition on one table has that table as its *shape*: `User::EMAIL.eq(..)`
//! is an `Expr<User>`. Comparing with another column pairs the shapes:
//! `User::ID.eq(Post::AUTHOR_ID)` is an `Expr<(User, Post)>`, and `and`
//! pairs them too. A query over a *source* (a table `T`, or a join
//! `Join<A, B>`) accepts a condition when every table of its shape is in
//! the source: that is [`Within`]. The `I` parameter only tells the
//! compiler where each table was found; it is always inferred.

use std::marker::PhantomData;

/// Two tables joined: the source of `A::select().inner_join(..)` on `B`.
pub struct Join<A, B>(PhantomData<fn() -> (A, B)>);

/// A table left-joined: the source of `A::select().left_join(..)` on `B`,
/// where `B`'s columns are NULL for rows of `A` that match none.
pub struct LeftJoin<A, B>(PhantomData<fn() -> (A, B)>);

/// What a query can read from and join: a table, or a table under an
/// alias ([`Aliased`]).
#[doc(hidden)]
pub trait Joinable {
    /// Whether it is an alias.
    const ALIASED: bool = false;
    /// The table's definition.
    fn table_def() -> &'static crate::schema::TableDef;
}

impl<T: crate::table::Table> Joinable for T {
    fn table_def() -> &'static crate::schema::TableDef {
        T::table()
    }
}

/// Table `T` under an alias, in a self-join: see `TableQueries::alias`.
pub struct Aliased<T>(PhantomData<fn() -> T>);

impl<T: crate::table::Table> Joinable for Aliased<T> {
    const ALIASED: bool = true;

    fn table_def() -> &'static crate::schema::TableDef {
        T::table()
    }
}

/// Where in a source a table was found (inferred, never written).
#[doc(hidden)]
pub struct Here;
#[doc(hidden)]
pub struct Left<I>(PhantomData<I>);
#[doc(hidden)]
pub struct Right;
#[doc(hidden)]
pub struct Both<I, J>(PhantomData<(I, J)>);
/// The left-joined table: its columns may be NULL.
#[doc(hidden)]
pub struct RightOrNull;

/// How a column found at this place of a query's tables decodes: as its
/// own type, or as an `Option` when it belongs to a left-joined table.
#[doc(hidden)]
pub trait Slot {
    /// The decoded type of a column of Rust type `V` found here.
    type Decoded<V>;
}

impl Slot for Here {
    type Decoded<V> = V;
}

impl Slot for Right {
    type Decoded<V> = V;
}

impl Slot for RightOrNull {
    type Decoded<V> = Option<V>;
}

impl<I: Slot> Slot for Left<I> {
    type Decoded<V> = I::Decoded<V>;
}

/// Every table of shape `Self` is read by a query over `Source`.
#[diagnostic::on_unimplemented(
    message = "this condition uses a column of `{Self}`, which this query over `{Source}` does not read",
    label = "a column of another table",
    note = "filter and order with columns of the queried table, or join the other table first (`.inner_join(..)` / `.left_join(..)`)"
)]
pub trait Within<Source, I> {}

impl<T> Within<T, Here> for T {}

// Only a table is looked for on the left: a pair is split first (below),
// and a fragment is found anywhere (`Raw`), so each has one way in.
impl<A, B, X, I> Within<Join<A, B>, Left<I>> for X where X: Joinable + Within<A, I> {}

impl<A, B> Within<Join<A, B>, Right> for B {}

impl<A, B, X, I> Within<LeftJoin<A, B>, Left<I>> for X where X: Joinable + Within<A, I> {}

impl<A, B> Within<LeftJoin<A, B>, RightOrNull> for B {}

impl<S1, S2, Source, I, J> Within<Source, Both<I, J>> for (S1, S2)
where
    S1: Within<Source, I>,
    S2: Within<Source, J>,
{
}

#[doc(hidden)]
pub struct NewRight<I>(PhantomData<I>);
#[doc(hidden)]
pub struct NewLeft<I>(PhantomData<I>);
#[doc(hidden)]
pub struct AndAlso<I, J>(PhantomData<(I, J)>);

/// A join condition on a query over `Source`: it compares a column the
/// query reads with a column of one new table, [`Table`](JoinOn::Table),
/// possibly AND-ed with more conditions on the joined tables.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a join condition for a query over `{Source}`",
    label = "expected a comparison between a column of this query and a column of the table to join",
    note = "write it as `Other::KEY.eq(This::FOREIGN_KEY)`; further conditions can follow with `.and(..)`"
)]
pub trait JoinOn<Source, I> {
    /// The table being joined.
    type Table;
}

impl<Source, X, Y, I> JoinOn<Source, NewRight<I>> for (X, Y)
where
    X: Within<Source, I>,
    Y: Joinable,
{
    type Table = Y;
}

impl<Source, X, Y, I> JoinOn<Source, NewLeft<I>> for (X, Y)
where
    Y: Within<Source, I>,
    X: Joinable,
{
    type Table = X;
}

impl<Source, P, Z, I, J> JoinOn<Source, AndAlso<I, J>> for (P, Z)
where
    P: JoinOn<Source, I>,
    Z: Within<Join<Source, P::Table>, J>,
{
    type Table = P::Table;
}
