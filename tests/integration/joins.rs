//! Joins: typed `(A, B)` and `(A, Option<B>)` rows, with filters and
//! ordering on either table.

use crate::common;

use common::TestDb;
use pgtable::Error;
use pgtable::prelude::*;

#[table(name = "authors")]
#[derive(Debug, Clone, PartialEq)]
pub struct Author {
    #[column(primary_key, identity)]
    pub id: i64,
    pub name: String,
}

#[table(name = "books")]
#[derive(Debug, Clone, PartialEq)]
pub struct Book {
    #[column(primary_key, identity)]
    pub id: i64,
    pub author_id: Option<i64>,
    pub title: String,
}

#[table(name = "reviews")]
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    #[column(primary_key, identity)]
    pub id: i64,
    pub book_id: i64,
    pub stars: i16,
}

async fn seeded() -> (TestDb, Db) {
    let schema = Schema::new()
        .table::<Author>()
        .table::<Book>()
        .table::<Review>();
    let test = TestDb::with_schema(&schema).await;
    let db = test.db();
    Author::insert_many(["Le Guin", "Borges"].map(|n| NewAuthor { name: n.into() }))
        .execute(&db)
        .await
        .unwrap();
    let book = |author_id, title: &str| NewBook {
        author_id,
        title: title.into(),
    };
    Book::insert_many([
        book(Some(1), "The Dispossessed"),
        book(Some(1), "The Lathe of Heaven"),
        book(Some(2), "Ficciones"),
        book(None, "Beowulf"),
    ])
    .execute(&db)
    .await
    .unwrap();
    Review::insert_many(
        [(1, 5), (1, 4), (3, 5)].map(|(book_id, stars)| NewReview { book_id, stars }),
    )
    .execute(&db)
    .await
    .unwrap();
    (test, db)
}

#[test]
fn join_sql() {
    assert_eq!(
        Book::select()
            .inner_join(Author::ID.eq(Book::AUTHOR_ID))
            .filter(Author::NAME.eq("Le Guin"))
            .order_by(Book::TITLE)
            .to_sql(),
        r#"SELECT "books"."id", "books"."author_id", "books"."title", "authors"."id", "authors"."name" FROM "books" INNER JOIN "authors" ON "authors"."id" = "books"."author_id" WHERE "authors"."name" = $1 ORDER BY "books"."title" ASC"#
    );
    assert_eq!(
        Book::select()
            .left_join(Book::AUTHOR_ID.eq(Author::ID))
            .to_sql(),
        r#"SELECT "books"."id", "books"."author_id", "books"."title", "authors"."id", "authors"."name" FROM "books" LEFT JOIN "authors" ON "books"."author_id" = "authors"."id""#
    );
}

#[tokio::test]
async fn inner_join_gives_pairs() -> Result<(), Error> {
    let (_test, db) = seeded().await;
    let rows: Vec<(Book, Author)> = Book::select()
        .inner_join(Author::ID.eq(Book::AUTHOR_ID))
        .order_by(Author::NAME.desc())
        .order_by(Book::TITLE)
        .fetch_all(&db)
        .await?;
    let titles: Vec<(&str, &str)> = rows
        .iter()
        .map(|(b, a)| (b.title.as_str(), a.name.as_str()))
        .collect();
    assert_eq!(
        titles,
        [
            ("The Dispossessed", "Le Guin"),
            ("The Lathe of Heaven", "Le Guin"),
            ("Ficciones", "Borges"),
        ]
    );

    // Filters on either table, and on both at once.
    let n = Book::select()
        .inner_join(Author::ID.eq(Book::AUTHOR_ID))
        .filter(Author::NAME.eq("Le Guin").and(Book::TITLE.like("%Heaven")))
        .count(&db)
        .await?;
    assert_eq!(n, 1);
    Ok(())
}

#[tokio::test]
async fn left_join_gives_none_for_no_match() -> Result<(), Error> {
    let (_test, db) = seeded().await;
    let rows: Vec<(Book, Option<Author>)> = Book::select()
        .left_join(Author::ID.eq(Book::AUTHOR_ID))
        .order_by(Book::ID)
        .fetch_all(&db)
        .await?;
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0].1.as_ref().map(|a| a.name.as_str()), Some("Le Guin"));
    assert_eq!(rows[3].0.title, "Beowulf");
    assert_eq!(rows[3].1, None);

    let orphans = Book::select()
        .left_join(Author::ID.eq(Book::AUTHOR_ID))
        .filter(Author::ID.is_null())
        .fetch_all(&db)
        .await?;
    assert_eq!(orphans.len(), 1);
    Ok(())
}

#[tokio::test]
async fn three_tables() -> Result<(), Error> {
    let (_test, db) = seeded().await;
    let rows: Vec<((Review, Book), Author)> = Review::select()
        .inner_join(Book::ID.eq(Review::BOOK_ID))
        .inner_join(Author::ID.eq(Book::AUTHOR_ID))
        .filter(Review::STARS.eq(5))
        .order_by(Review::ID)
        .fetch_all(&db)
        .await?;
    let got: Vec<(&str, &str)> = rows
        .iter()
        .map(|((_, book), author)| (book.title.as_str(), author.name.as_str()))
        .collect();
    assert_eq!(
        got,
        [("The Dispossessed", "Le Guin"), ("Ficciones", "Borges")]
    );
    Ok(())
}

#[tokio::test]
async fn belongs_to_a_nullable_foreign_key_gives_an_option() -> Result<(), Error> {
    use pgtable::relations::{BelongsTo, HasMany};
    let (_test, db) = seeded().await;
    let author = BelongsTo::<Book, Author, Option<i64>, i64>::new(Book::AUTHOR_ID, Author::ID);
    let rows = Book::select()
        .order_by(Book::ID)
        .with(author)
        .fetch_all(&db)
        .await?;
    let names: Vec<Option<&str>> = rows
        .iter()
        .map(|(_, a)| a.as_ref().map(|a| a.name.as_str()))
        .collect();
    assert_eq!(
        names,
        [Some("Le Guin"), Some("Le Guin"), Some("Borges"), None]
    );

    // And the other way, through the nullable foreign key.
    let books = HasMany::<Author, Book, i64, Option<i64>>::new(Author::ID, Book::AUTHOR_ID);
    let rows = Author::select()
        .order_by(Author::ID)
        .with(books)
        .fetch_all(&db)
        .await?;
    assert_eq!(
        rows.iter().map(|(_, b)| b.len()).collect::<Vec<_>>(),
        [2, 1]
    );
    Ok(())
}

/// A table keyed by one column, whose fields are named like the decoder's
/// own variables.
#[table(name = "shelves")]
#[derive(Debug, Clone, PartialEq)]
pub struct Shelf {
    #[column(primary_key)]
    pub offset: i32,
    pub row: Option<String>,
}

/// A table keyed by two columns.
#[table(name = "slots", primary_key(shelf, position))]
#[derive(Debug, Clone, PartialEq)]
pub struct Slot {
    pub shelf: i32,
    pub position: i32,
    pub label: Option<String>,
}

#[tokio::test]
async fn a_left_joined_row_is_none_only_when_its_key_is_null() -> Result<(), Error> {
    let test = TestDb::with_schema(&Schema::new().table::<Shelf>().table::<Slot>()).await;
    let db = test.db();
    Shelf::insert_many(
        [(1, Some("top")), (2, None), (3, None)].map(|(offset, row)| NewShelf {
            offset,
            row: row.map(Into::into),
        }),
    )
    .execute(&db)
    .await?;
    Slot::insert_many(
        [(1, 1, Some("a")), (2, 1, None)].map(|(shelf, position, label)| NewSlot {
            shelf,
            position,
            label: label.map(Into::into),
        }),
    )
    .execute(&db)
    .await?;

    // Keyed by one column (decoded once, as an `Option`): a row whose other
    // columns are NULL is still a row.
    let shelves = Slot::select()
        .left_join(Shelf::OFFSET.eq(Slot::SHELF))
        .order_by(Slot::SHELF)
        .fetch_all(&db)
        .await?;
    let shelf = |offset, row: Option<&str>| Shelf {
        offset,
        row: row.map(Into::into),
    };
    assert_eq!(
        shelves.into_iter().map(|(_, s)| s).collect::<Vec<_>>(),
        [Some(shelf(1, Some("top"))), Some(shelf(2, None))]
    );

    // Keyed by two columns: none for shelf 3, a row with a NULL label for 2.
    let slots = Shelf::select()
        .left_join(Slot::SHELF.eq(Shelf::OFFSET))
        .order_by(Shelf::OFFSET)
        .fetch_all(&db)
        .await?;
    let labels: Vec<Option<Option<String>>> =
        slots.into_iter().map(|(_, s)| s.map(|s| s.label)).collect();
    assert_eq!(labels, [Some(Some("a".into())), Some(None), None]);
    Ok(())
}
