//! The selection of a join: the rows selected so far, then the joined
//! table's row, which a LEFT JOIN may not have found.

use std::marker::PhantomData;

use tokio_postgres::Row;

use super::Built;
use super::selection::{All, Listed, Selection};
use super::shape::{Join, LeftJoin};
use crate::error::Error;
use crate::table::Table;

/// The kind of a join: [`Inner`] gives `(A, B)` rows, [`LeftOuter`] `(A, Option<B>)`.
#[doc(hidden)]
pub trait JoinKind: Send + Sync + 'static {
    const SQL: &'static str;
    type Output<B: Send>: Send;
    fn decode<B: Table>(row: &Row, offset: usize) -> Result<Self::Output<B>, Error>;
}

/// `INNER JOIN`.
#[derive(Debug)]
pub struct Inner;
/// `LEFT JOIN`.
#[derive(Debug)]
pub struct LeftOuter;

impl JoinKind for Inner {
    const SQL: &'static str = " INNER JOIN ";
    type Output<B: Send> = B;

    fn decode<B: Table>(row: &Row, offset: usize) -> Result<B, Error> {
        B::from_row_at(row, offset)
    }
}

impl JoinKind for LeftOuter {
    const SQL: &'static str = " LEFT JOIN ";
    type Output<B: Send> = Option<B>;

    fn decode<B: Table>(row: &Row, offset: usize) -> Result<Option<B>, Error> {
        B::__from_row_at_nullable(row, offset)
    }
}

/// The selection of a join: the rows selected so far, then table `B`.
#[doc(hidden)]
pub struct Joined<S, B, K> {
    pub(super) left: S,
    pub(super) _marker: PhantomData<fn() -> (B, K)>,
}

macro_rules! joined_selection {
    ($source:ident, $kind:ident) => {
        impl<Src, S, B> Selection<$source<Src, B>> for Joined<S, B, $kind>
        where
            S: Selection<Src>,
            B: Table,
        {
            type Output = (S::Output, <$kind as JoinKind>::Output<B>);

            fn width(&self) -> usize {
                self.left.width() + B::table().columns.len()
            }

            fn write<'a>(&'a self, out: &mut Built<'a>, qualified: bool) {
                self.left.write(out, qualified);
                out.push(", ");
                out.column_list(B::table(), qualified);
            }

            fn decode_at(&self, row: &Row, offset: usize) -> Result<Self::Output, Error> {
                let left = self.left.decode_at(row, offset)?;
                let right = $kind::decode::<B>(row, offset + self.left.width())?;
                Ok((left, right))
            }
        }
    };
}

joined_selection!(Join, Inner);
joined_selection!(LeftJoin, LeftOuter);

/// What a selection becomes when a table `B` is joined with kind `K`: the
/// whole rows so far and then `B`'s row, or, for a list given to
/// `select_columns`, the same list.
#[doc(hidden)]
pub trait JoinSelection<B, K> {
    /// The selection after the join.
    type Joined;
    /// Makes it.
    fn joined(self) -> Self::Joined;
}

impl<B, K> JoinSelection<B, K> for All {
    type Joined = Joined<All, B, K>;

    fn joined(self) -> Self::Joined {
        Joined {
            left: self,
            _marker: PhantomData,
        }
    }
}

impl<S, B0, K0, B, K> JoinSelection<B, K> for Joined<S, B0, K0> {
    type Joined = Joined<Joined<S, B0, K0>, B, K>;

    fn joined(self) -> Self::Joined {
        Joined {
            left: self,
            _marker: PhantomData,
        }
    }
}

impl<S, B, K> JoinSelection<B, K> for Listed<S> {
    type Joined = Listed<S>;

    fn joined(self) -> Self::Joined {
        self
    }
}
