//! Tables declared through a `macro_rules!` (as a crate declaring many
//! alike does) whose generated items (insert type, patch, column
//! constants) go unused compile without a warning: the user did not write
//! them. (A test of its own rather than a trybuild `pass` case: see
//! `tests/ui/Cargo.toml`.)
#![deny(warnings)]

macro_rules! tables {
    () => {
        #[pgtable::prelude::table(name = "users")]
        pub struct User {
            #[column(primary_key, identity)]
            pub id: i64,
            pub email: String,
        }
    };
}

mod schema {
    tables!();
}

#[test]
fn generated_items_left_unused_raise_no_warning() {
    let user = schema::User {
        id: 1,
        email: "ann@x.io".into(),
    };
    assert_eq!((user.id, user.email.as_str()), (1, "ann@x.io"));
}
