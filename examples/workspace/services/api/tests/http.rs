//! The service over real HTTP: started on a free port on a database of its
//! own (migrated as at start-up), then driven as a client would.

use std::net::SocketAddr;

use pgtable::Db;
use pgtable::serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// `DATABASE_URL` (else the local server) with its database replaced.
fn url_for(database: &str) -> String {
    let url = std::env::var("DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let (base, query) = url.split_once('?').unwrap_or((&url, ""));
    let (server, _) = base
        .rsplit_once('/')
        .expect("DATABASE_URL names a database");
    match query {
        "" => format!("{server}/{database}"),
        query => format!("{server}/{database}?{query}"),
    }
}

/// A database of the test's own, dropped at the end.
struct TestDatabase {
    admin: Db,
    name: String,
}

impl TestDatabase {
    async fn create() -> TestDatabase {
        let admin = Db::connect(&url_for("postgres")).await.unwrap();
        let name = format!("api_http_{}", std::process::id());
        drop_database(&admin, &name).await;
        pgtable::sql(format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await
            .unwrap();
        TestDatabase { admin, name }
    }

    async fn drop(self) {
        drop_database(&self.admin, &self.name).await;
    }
}

async fn drop_database(admin: &Db, name: &str) {
    pgtable::sql(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(admin)
        .await
        .unwrap();
}

/// One HTTP/1.1 request on a connection of its own: (status, JSON body or
/// `Null`).
async fn request(addr: SocketAddr, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let body = if body.is_empty() {
        Value::Null
    } else {
        pgtable::serde_json::from_str(body).unwrap_or(Value::String(body.to_owned()))
    };
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_over_http() {
    let database = TestDatabase::create().await;
    let db = Db::connect(&url_for(&database.name)).await.unwrap();
    database::migrate(&db).await.unwrap();
    // The checked-in migrations build exactly the schema in the code.
    let drift = pgtable::migrate::drift(&db, &database::schema())
        .await
        .unwrap();
    assert!(drift.is_empty(), "run `db generate`: {drift:?}");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(axum::serve(listener, api::app(db.clone())).into_future());

    // Create, list, read, update.
    let ada = json!({"email": "ada@example.com", "name": "Ada"});
    let (status, created) = request(addr, "POST", "/users", Some(ada.clone())).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["email"], "ada@example.com");
    let (status, list) = request(addr, "GET", "/users", None).await;
    assert_eq!((status, list.as_array().unwrap().len()), (200, 1));
    let (status, read) = request(addr, "GET", &format!("/users/{id}"), None).await;
    assert_eq!((status, &read), (200, &created));
    let (status, updated) = request(
        addr,
        "PATCH",
        &format!("/users/{id}"),
        Some(json!({"name": "Ada Lovelace"})),
    )
    .await;
    assert_eq!((status, &updated["name"]), (200, &json!("Ada Lovelace")));
    assert_eq!(updated["email"], "ada@example.com");

    // A duplicate is a 409 naming the constraint, never the value.
    let (status, body) = request(addr, "POST", "/users", Some(ada)).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["code"], "unique_violation");
    assert_eq!(body["constraint"], "users_email_unique");
    assert!(!body.to_string().contains("ada@example.com"), "{body}");

    // A missing row is a 404, whatever the method.
    for method in ["GET", "PATCH", "DELETE"] {
        let patch = (method == "PATCH").then(|| json!({"name": "x"}));
        let (status, body) = request(addr, method, "/users/999999", patch).await;
        assert_eq!(
            (status, &body["code"]),
            (404, &json!("not_found")),
            "{method}"
        );
    }

    // An over-long value is a 422 naming the column and its limit.
    let long = json!({"email": "b@example.com", "name": "n".repeat(41)});
    let (status, body) = request(addr, "POST", "/users", Some(long)).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        (&body["code"], &body["column"]),
        (&json!("value_too_long"), &json!("name"))
    );
    assert!(
        body["error"].as_str().unwrap().contains("limit of 40"),
        "{body}"
    );

    // 50 requests at once: created or listed, none a 5xx.
    let requests = (0..50).map(|i| {
        tokio::spawn(async move {
            if i % 2 == 0 {
                let user = json!({"email": format!("u{i}@example.com"), "name": format!("U{i}")});
                request(addr, "POST", "/users", Some(user)).await.0
            } else {
                request(addr, "GET", "/users", None).await.0
            }
        })
    });
    for (i, handle) in requests.enumerate() {
        let status = handle.await.unwrap();
        assert_eq!(status, if i % 2 == 0 { 201 } else { 200 }, "request {i}");
    }
    let (_, list) = request(addr, "GET", "/users", None).await;
    assert_eq!(list.as_array().unwrap().len(), 26);

    // Delete, and it is gone.
    let (status, _) = request(addr, "DELETE", &format!("/users/{id}"), None).await;
    assert_eq!(status, 204);
    let (status, _) = request(addr, "GET", &format!("/users/{id}"), None).await;
    assert_eq!(status, 404);

    // The schema seeds (pgtable's Seeder), and the service lists the rows.
    pgtable::Seeder::new(&database::schema())
        .seed(1)
        .default_count(100)
        .run(&db)
        .await
        .unwrap();
    let (status, list) = request(addr, "GET", "/users", None).await;
    assert_eq!((status, list.as_array().unwrap().len()), (200, 125));

    server.abort();
    drop(db);
    database.drop().await;
}
