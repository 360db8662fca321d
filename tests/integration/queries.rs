//! Each kind of query: its exact SQL, then what it does on the real server.

use crate::common;

use common::TestDb;
use futures_util::TryStreamExt;
use pgtable::prelude::*;
use pgtable::{Error, not};

#[table(name = "articles")]
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(unique)]
    pub slug: String,
    pub title: String,
    #[column(default = 0)]
    pub views: i32,
    pub rating: Option<f64>,
    pub summary: Option<String>,
}

#[table(name = "tags", primary_key(article_id, name))]
#[derive(Debug, Clone, PartialEq)]
pub struct Tag {
    pub article_id: i64,
    pub name: String,
    #[column(default = 1)]
    pub weight: i16,
}

fn article(slug: &str, title: &str, rating: Option<f64>) -> NewArticle {
    NewArticle {
        slug: slug.into(),
        title: title.into(),
        views: None,
        rating,
        summary: None,
    }
}

async fn seeded() -> (TestDb, pgtable::Db) {
    let test = TestDb::with_schema(&Schema::new().table::<Article>().table::<Tag>()).await;
    let db = test.db();
    let rows = vec![
        article("a", "Alpha", Some(4.5)),
        article("b", "Beta", None),
        article("c", "Gamma", Some(2.0)),
        article("d", "Delta", Some(3.0)),
    ];
    assert_eq!(Article::insert_many(rows).execute(&db).await.unwrap(), 4);
    (test, db)
}

#[test]
fn select_sql() {
    assert_eq!(
        Article::select().to_sql(),
        r#"SELECT "id", "slug", "title", "views", "rating", "summary" FROM "articles""#
    );
    assert_eq!(
        Article::select()
            .filter(Article::VIEWS.gt(10).or(Article::RATING.is_null()))
            .filter(not(Article::TITLE.ilike("%draft%")))
            .order_by(Article::RATING.desc())
            .order_by(Article::ID)
            .limit(5)
            .offset(10)
            .for_update()
            .to_sql(),
        r#"SELECT "id", "slug", "title", "views", "rating", "summary" FROM "articles" WHERE (("articles"."views" > $1 OR "articles"."rating" IS NULL) AND NOT ("articles"."title" ILIKE $2)) ORDER BY "articles"."rating" DESC, "articles"."id" ASC LIMIT $3 OFFSET $4 FOR UPDATE"#
    );
    assert_eq!(
        Article::select()
            .filter(
                Article::ID
                    .is_in([1_i64, 2])
                    .and(Article::SLUG.not_in(["x"]))
            )
            .filter(
                Article::RATING
                    .between(1.0, 2.0)
                    .and(!Article::SUMMARY.is_not_null())
            )
            .to_sql(),
        r#"SELECT "id", "slug", "title", "views", "rating", "summary" FROM "articles" WHERE ("articles"."id" = ANY($1) AND "articles"."slug" <> ALL($2) AND "articles"."rating" BETWEEN $3 AND $4 AND NOT ("articles"."summary" IS NOT NULL))"#
    );
    assert_eq!(
        Article::select_columns((Article::ID, Article::TITLE))
            .filter(Article::TITLE.ne(Article::SLUG))
            .to_sql(),
        r#"SELECT "id", "title" FROM "articles" WHERE "articles"."title" <> "articles"."slug""#
    );
    assert_eq!(
        Article::find(7).to_sql(),
        r#"SELECT "id", "slug", "title", "views", "rating", "summary" FROM "articles" WHERE "articles"."id" = $1"#
    );
    assert_eq!(
        Tag::find((7, "rust".to_owned())).to_sql(),
        r#"SELECT "article_id", "name", "weight" FROM "tags" WHERE ("tags"."article_id" = $1 AND "tags"."name" = $2)"#
    );
}

#[test]
fn insert_sql() {
    assert_eq!(
        Article::insert(article("a", "A", None)).to_sql(),
        r#"INSERT INTO "articles" ("slug", "title", "views", "rating", "summary") VALUES ($1, $2, DEFAULT, $3, $4)"#
    );
    let two = vec![
        article("a", "A", None),
        NewArticle {
            views: Some(3),
            ..article("b", "B", Some(1.0))
        },
    ];
    assert_eq!(
        Article::insert_many(two).returning().to_sql(),
        r#"INSERT INTO "articles" ("slug", "title", "views", "rating", "summary") VALUES ($1, $2, DEFAULT, $3, $4), ($5, $6, $7, $8, $9) RETURNING "id", "slug", "title", "views", "rating", "summary""#
    );
    assert_eq!(
        Article::insert(article("a", "A", None))
            .on_conflict_do_nothing()
            .to_sql(),
        r#"INSERT INTO "articles" ("slug", "title", "views", "rating", "summary") VALUES ($1, $2, DEFAULT, $3, $4) ON CONFLICT DO NOTHING"#
    );
    assert_eq!(
        Tag::insert(NewTag {
            article_id: 1,
            name: "x".into(),
            weight: None
        })
        .on_conflict((Tag::ARTICLE_ID, Tag::NAME))
        .do_update(|c| c.set(Tag::WEIGHT, Tag::WEIGHT.add(c.excluded(Tag::WEIGHT))))
        .to_sql(),
        r#"INSERT INTO "tags" ("article_id", "name", "weight") VALUES ($1, $2, DEFAULT) ON CONFLICT ("article_id", "name") DO UPDATE SET "weight" = "tags"."weight" + excluded."weight""#
    );
    assert_eq!(Article::insert_many(Vec::new()).to_sql(), "");
}

#[test]
fn update_and_delete_sql() {
    assert_eq!(
        Article::update()
            .set(Article::VIEWS, Article::VIEWS.add(1))
            .set(Article::SUMMARY, "s")
            .filter(Article::SLUG.eq("a"))
            .returning()
            .to_sql(),
        r#"UPDATE "articles" SET "views" = "articles"."views" + $1, "summary" = $2 WHERE "articles"."slug" = $3 RETURNING "id", "slug", "title", "views", "rating", "summary""#
    );
    assert_eq!(
        Article::update()
            .set(Article::RATING, None)
            .all_rows()
            .to_sql(),
        r#"UPDATE "articles" SET "rating" = $1"#
    );
    assert_eq!(
        Article::delete()
            .filter(Article::ID.lt(3))
            .returning()
            .to_sql(),
        r#"DELETE FROM "articles" WHERE "articles"."id" < $1 RETURNING "id", "slug", "title", "views", "rating", "summary""#
    );
    assert_eq!(
        Article::delete().all_rows().to_sql(),
        r#"DELETE FROM "articles""#
    );
}

#[tokio::test]
async fn select_filters_orders_and_pages() -> Result<(), Error> {
    let (_test, db) = seeded().await;

    let titles: Vec<String> = Article::select_columns(Article::TITLE)
        .filter(Article::RATING.is_not_null())
        .order_by(Article::RATING.desc())
        .fetch_all(&db)
        .await?;
    assert_eq!(titles, ["Alpha", "Delta", "Gamma"]);

    let page: Vec<Article> = Article::select()
        .order_by(Article::SLUG)
        .limit(2)
        .offset(1)
        .fetch_all(&db)
        .await?;
    assert_eq!(
        page.iter().map(|a| a.slug.as_str()).collect::<Vec<_>>(),
        ["b", "c"]
    );

    // A nullable column compares with its inner type; &str with a String column.
    let good = Article::select()
        .filter(Article::RATING.ge(3.0))
        .count(&db)
        .await?;
    assert_eq!(good, 2);
    let some = Article::select()
        .filter(Article::SLUG.is_in(["a", "c", "zz"]))
        .count(&db)
        .await?;
    assert_eq!(some, 2);
    let none_in_empty = Article::select()
        .filter(Article::ID.is_in(Vec::<i64>::new()))
        .count(&db)
        .await?;
    assert_eq!(none_in_empty, 0);
    let rest = Article::select()
        .filter(Article::SLUG.not_in(["a"]))
        .count(&db)
        .await?;
    assert_eq!(rest, 3);
    let between = Article::select()
        .filter(Article::RATING.between(2.0, 3.0))
        .count(&db)
        .await?;
    assert_eq!(between, 2);
    let like = Article::select()
        .filter(Article::TITLE.like("%lta"))
        .fetch_one(&db)
        .await?;
    assert_eq!(like.slug, "d");
    let ilike = Article::select()
        .filter(Article::TITLE.ilike("BETA"))
        .fetch_one(&db)
        .await?;
    assert_eq!(ilike.slug, "b");

    // count honours limit and offset; exists says whether anything matches.
    assert_eq!(Article::select().limit(3).count(&db).await?, 3);
    assert_eq!(Article::select().offset(3).count(&db).await?, 1);
    assert!(
        Article::select()
            .filter(Article::SLUG.eq("a"))
            .exists(&db)
            .await?
    );
    assert!(
        !Article::select()
            .filter(Article::SLUG.eq("zz"))
            .exists(&db)
            .await?
    );

    // find by primary key; fetch_one on nothing is NotFound.
    let alpha = Article::select()
        .filter(Article::SLUG.eq("a"))
        .fetch_one(&db)
        .await?;
    assert_eq!(Article::find(alpha.id).fetch_one(&db).await?, alpha);
    assert_eq!(Article::find(-1).fetch_optional(&db).await?, None);
    let missing = Article::find(-1).fetch_one(&db).await.unwrap_err();
    assert!(
        matches!(missing, Error::NotFound { table: "articles" }),
        "{missing:?}"
    );
    assert_eq!(
        missing.to_string(),
        "no row found in table articles (fetch_one expects exactly one; use fetch_optional when none is fine)"
    );

    // Tuples of columns decode to tuples.
    let pairs: Vec<(String, Option<f64>)> =
        Article::select_columns((Article::SLUG, Article::RATING))
            .order_by(Article::SLUG)
            .fetch_all(&db)
            .await?;
    assert_eq!(pairs[1], ("b".to_owned(), None));
    Ok(())
}

#[tokio::test]
async fn composite_keys_find_and_upsert() -> Result<(), Error> {
    let (_test, db) = seeded().await;
    let tag = |name: &str| NewTag {
        article_id: 1,
        name: name.into(),
        weight: None,
    };
    Tag::insert_many([tag("rust"), tag("sql")])
        .execute(&db)
        .await?;
    let bumped = Tag::insert(NewTag {
        weight: Some(5),
        ..tag("rust")
    })
    .on_conflict((Tag::ARTICLE_ID, Tag::NAME))
    .do_update(|c| c.set(Tag::WEIGHT, Tag::WEIGHT.add(c.excluded(Tag::WEIGHT))))
    .returning()
    .fetch_one(&db)
    .await?;
    assert_eq!(bumped.weight, 6);
    let found = Tag::find((1, "sql".to_owned())).fetch_one(&db).await?;
    assert_eq!(found.weight, 1);
    Ok(())
}

#[tokio::test]
async fn insert_returning_and_conflicts() -> Result<(), Error> {
    let (_test, db) = seeded().await;
    let e = Article::insert(article("e", "Epsilon", None))
        .returning()
        .fetch_one(&db)
        .await?;
    assert_eq!((e.id, e.views), (5, 0));

    assert_eq!(
        Article::insert(article("e", "Again", None))
            .on_conflict_do_nothing()
            .execute(&db)
            .await?,
        0
    );
    let skipped = Article::insert(article("e", "Again", None))
        .on_conflict(Article::SLUG)
        .do_nothing()
        .returning()
        .fetch_optional(&db)
        .await?;
    assert_eq!(skipped, None);

    let updated = Article::insert(article("e", "Epsilon 2", Some(1.0)))
        .on_conflict(Article::SLUG)
        .do_update(|c| {
            c.set(Article::TITLE, c.excluded(Article::TITLE))
                .set(Article::VIEWS, Article::VIEWS.add(100))
        })
        .returning()
        .fetch_one(&db)
        .await?;
    assert_eq!(
        (updated.id, updated.title.as_str(), updated.views),
        (5, "Epsilon 2", 100)
    );

    // Inserting no rows sends nothing.
    assert_eq!(Article::insert_many(Vec::new()).execute(&db).await?, 0);
    assert!(
        Article::insert_many(Vec::new())
            .returning()
            .fetch_all(&db)
            .await?
            .is_empty()
    );
    Ok(())
}

#[tokio::test]
async fn update_and_delete() -> Result<(), Error> {
    let (_test, db) = seeded().await;
    let n = Article::update()
        .set(Article::VIEWS, Article::VIEWS.add(2))
        .filter(Article::RATING.is_not_null())
        .execute(&db)
        .await?;
    assert_eq!(n, 3);
    let doubled = Article::update()
        .set(Article::VIEWS, Article::VIEWS.mul(10))
        .set(Article::SUMMARY, "popular")
        .filter(Article::SLUG.eq("a"))
        .returning()
        .fetch_one(&db)
        .await?;
    assert_eq!(
        (doubled.views, doubled.summary.as_deref()),
        (20, Some("popular"))
    );

    // Setting a nullable column to None writes NULL.
    Article::update()
        .set(Article::RATING, None)
        .filter(Article::SLUG.eq("a"))
        .execute(&db)
        .await?;
    assert_eq!(
        Article::select()
            .filter(Article::RATING.is_null())
            .count(&db)
            .await?,
        2
    );

    let everyone = Article::update()
        .set(Article::VIEWS, 7)
        .all_rows()
        .execute(&db)
        .await?;
    assert_eq!(everyone, 4);

    let gone = Article::delete()
        .filter(Article::SLUG.eq("b"))
        .returning()
        .fetch_all(&db)
        .await?;
    assert_eq!(
        gone.iter().map(|a| a.title.as_str()).collect::<Vec<_>>(),
        ["Beta"]
    );
    assert_eq!(
        Article::delete()
            .filter(Article::SLUG.eq("b"))
            .execute(&db)
            .await?,
        0
    );
    assert_eq!(Article::delete().all_rows().execute(&db).await?, 3);
    assert_eq!(Article::select().count(&db).await?, 0);
    Ok(())
}

#[tokio::test]
async fn large_results_stream() -> Result<(), Error> {
    let test = TestDb::with_schema(&Schema::new().table::<Article>()).await;
    let db = test.db();
    let rows: Vec<NewArticle> = (0..10_000)
        .map(|i| article(&format!("s{i}"), "t", None))
        .collect();
    for chunk in rows.chunks(2_000) {
        Article::insert_many(chunk.to_vec()).execute(&db).await?;
    }
    let mut stream = std::pin::pin!(Article::select().order_by(Article::ID).fetch_stream(&db));
    let mut seen = 0_i64;
    while let Some(article) = stream.try_next().await? {
        seen += 1;
        assert_eq!(article.id, seen);
    }
    assert_eq!(seen, 10_000);

    let ids: Vec<i64> = Article::select_columns(Article::ID)
        .filter(Article::ID.le(3))
        .fetch_stream(&db)
        .try_collect()
        .await?;
    assert_eq!(ids.len(), 3);
    Ok(())
}

#[tokio::test]
async fn large_inserts_copy_in_and_oversized_statements_are_refused() -> Result<(), Error> {
    let test = TestDb::with_schema(&Schema::new().table::<Article>()).await;
    let db = test.db();
    // 100,000 rows: binary COPY, so no parameter limit (4 values a row).
    let rows: Vec<NewArticle> = (0..100_000)
        .map(|i| article(&format!("s{i}"), "t", None))
        .collect();
    let (n, statements) = common::count_statements(Article::insert_many(rows).execute(&db)).await;
    assert_eq!((n?, statements), (100_000, 1));
    let last = Article::select()
        .order_by(Article::ID.desc())
        .fetch_one(&db)
        .await?;
    assert_eq!(
        (last.id, last.slug.as_str(), last.views),
        (100_000, "s99999", 0)
    );

    // Some rows leave `views` to its default, others do not: COPY cannot
    // say that, so an INSERT goes instead, with the same result.
    let mixed: Vec<NewArticle> = (0..2_000)
        .map(|i| NewArticle {
            views: (i % 2 == 0).then_some(7),
            ..article(&format!("m{i}"), "t", None)
        })
        .collect();
    assert_eq!(Article::insert_many(mixed).execute(&db).await?, 2_000);
    assert_eq!(
        Article::select()
            .filter(Article::VIEWS.eq(7))
            .count(&db)
            .await?,
        1_000
    );

    // RETURNING needs a statement: 16,384 rows of 4 values bind 65,536.
    let rows: Vec<NewArticle> = (0..16_384)
        .map(|i| article(&format!("r{i}"), "t", None))
        .collect();
    let err = Article::insert_many(rows)
        .returning()
        .fetch_all(&db)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::TooManyParameters { parameters: 65_536 }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "the statement binds 65536 parameters, over PostgreSQL's limit of 65535: insert or filter in smaller batches"
    );
    assert_eq!(Article::select().count(&db).await?, 102_000);
    Ok(())
}

#[tokio::test]
async fn raw_sql_with_parameters_and_typed_rows() -> Result<(), Error> {
    let (_test, db) = seeded().await;
    let rated: Vec<Article> = pgtable::sql("SELECT * FROM articles WHERE rating > $1 ORDER BY id")
        .bind(2.5_f64)
        .fetch_all(&db)
        .await?;
    assert_eq!(
        rated.iter().map(|a| a.slug.as_str()).collect::<Vec<_>>(),
        ["a", "d"]
    );

    let (n, longest): (i64, Option<String>) =
        pgtable::sql("SELECT count(*), max(title) FROM articles WHERE slug <> $1")
            .bind("b")
            .fetch_one(&db)
            .await?;
    assert_eq!((n, longest.as_deref()), (3, Some("Gamma")));

    let changed = pgtable::sql("UPDATE articles SET views = views + $1 WHERE slug = ANY($2)")
        .bind(5_i32)
        .bind(vec!["a".to_owned(), "b".to_owned()])
        .execute(&db)
        .await?;
    assert_eq!(changed, 2);

    let none: Option<(i64,)> = pgtable::sql("SELECT id FROM articles WHERE false")
        .fetch_optional(&db)
        .await?;
    assert_eq!(none, None);
    let err = pgtable::sql("SELECT 'x'::text")
        .fetch_one::<(i64,), _>(&db)
        .await
        .unwrap_err();
    assert!(
        err.to_string().starts_with(
            "cannot read column (raw column) of table (raw query) (text) into Rust type `i64`"
        ),
        "{err}"
    );
    Ok(())
}
