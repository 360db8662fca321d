//! One workload, one side, a fixed number of times: for counting
//! instructions with callgrind, which (unlike timings on shared cores)
//! repeats exactly.
//!
//! ```sh
//! cargo bench --bench instructions --no-run
//! valgrind --tool=callgrind target/release/deps/instructions-* pgtable 20
//! valgrind --tool=callgrind target/release/deps/instructions-* raw 20
//! ```
//!
//! The difference of the two totals, over the number of runs and rows, is
//! pgtable's cost per row of `trivial_query` with 10,000 users.

use pgtable::prelude::*;
use tokio_postgres::NoTls;

#[table(name = "users")]
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    #[column(primary_key, identity)]
    pub id: i32,
    pub name: String,
    pub hair_color: Option<String>,
}

fn main() {
    let mut args = std::env::args().skip(1);
    let side = args.next().unwrap_or_else(|| "pgtable".into());
    let runs: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(20);
    let url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let admin = Db::connect(&url).await.unwrap().conn().await.unwrap();
        admin
            .batch_execute("DROP DATABASE IF EXISTS pgtable_instructions WITH (FORCE)")
            .await
            .unwrap();
        admin
            .batch_execute("CREATE DATABASE pgtable_instructions")
            .await
            .unwrap();
        let mut config: tokio_postgres::Config = url.parse().unwrap();
        config.dbname("pgtable_instructions");
        // The raw baseline connects without TLS (NoTls); so does pgtable.
        let db = Db::builder_with_config(config.clone())
            .ssl_mode(pgtable::SslMode::Disable)
            .build()
            .unwrap();
        let conn = db.conn().await.unwrap();
        conn.batch_execute(User::create_table()).await.unwrap();
        User::insert_many((0..10_000).map(|i| NewUser {
            name: format!("User {i}"),
            hair_color: (i % 2 == 0).then(|| "black".to_owned()),
        }))
        .execute(&conn)
        .await
        .unwrap();
        let (raw, connection) = config.connect(NoTls).await.unwrap();
        tokio::spawn(connection);
        let statement = raw
            .prepare("SELECT id, name, hair_color FROM users")
            .await
            .unwrap();
        let mut total = 0;
        for _ in 0..runs {
            total += if side == "raw" {
                let rows = raw.query(&statement, &[]).await.unwrap();
                let users: Vec<User> = rows
                    .iter()
                    .map(|r| User {
                        id: r.get(0),
                        name: r.get(1),
                        hair_color: r.get(2),
                    })
                    .collect();
                users.len()
            } else {
                User::select().fetch_all(&conn).await.unwrap().len()
            };
        }
        assert_eq!(total, runs * 10_000);
        drop((conn, raw));
        admin
            .batch_execute("DROP DATABASE pgtable_instructions WITH (FORCE)")
            .await
            .unwrap();
    });
}
