use pgtable::prelude::*;
use pgtable::query::exists;

#[table(name = "users")]
pub struct User {
    #[column(primary_key, identity)]
    pub id: i64,
}

#[table(name = "posts")]
pub struct Post {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(references = User::ID)]
    pub author_id: i64,
}

#[table(name = "tags")]
pub struct Tag {
    #[column(primary_key, identity)]
    pub id: i64,
}

fn main() {
    // Correlated with User, but used in a query over Tag.
    let _ = Tag::select().filter(exists(
        Post::select().correlate::<User>().filter(Post::AUTHOR_ID.eq(User::ID)),
    ));
}
