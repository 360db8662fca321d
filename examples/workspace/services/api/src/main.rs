//! `cargo run -p api`: the service on `PORT` (3000), with the database at
//! `DATABASE_URL`, migrated at start-up.

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt::init();
    let db = database::connect().await?;
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".to_owned());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, api::app(db)).await?;
    Ok(())
}
