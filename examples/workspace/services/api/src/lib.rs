//! The service's routes: users, created, listed, read, updated and deleted
//! over JSON. Handlers return `pgtable::Error` as it is; with pgtable's
//! `axum` feature it is the response: a duplicate email is a 409 naming the
//! constraint, a missing user a 404, a name too long a 422 naming the
//! column, an unavailable database a 503.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use database::{NewUser, User, UserPatch};
use pgtable::prelude::*;
use serde::Deserialize;

/// The routes, on a pool.
pub fn app(db: Db) -> Router {
    Router::new()
        .route("/users", get(list).post(create))
        .route("/users/{id}", get(read).patch(update).delete(remove))
        .with_state(db)
}

type Result<T> = std::result::Result<T, pgtable::Error>;

async fn create(
    State(db): State<Db>,
    Json(new): Json<NewUser>,
) -> Result<(StatusCode, Json<User>)> {
    let user = User::insert(new).returning().fetch_one(&db).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

async fn list(State(db): State<Db>) -> Result<Json<Vec<User>>> {
    let users = User::select()
        .order_by(User::ID.asc())
        .fetch_all(&db)
        .await?;
    Ok(Json(users))
}

async fn read(State(db): State<Db>, Path(id): Path<i64>) -> Result<Json<User>> {
    Ok(Json(User::find(id).fetch_one(&db).await?))
}

/// The fields a PATCH may change; those left out stay as they are.
#[derive(Deserialize)]
struct Changes {
    email: Option<String>,
    name: Option<String>,
}

async fn update(
    State(db): State<Db>,
    Path(id): Path<i64>,
    Json(changes): Json<Changes>,
) -> Result<Json<User>> {
    let patch = UserPatch {
        email: changes.email,
        name: changes.name,
        ..Default::default()
    };
    let user = User::update()
        .set_patch(patch)
        .filter(User::ID.eq(id))
        .returning()
        .fetch_one(&db)
        .await?;
    Ok(Json(user))
}

async fn remove(State(db): State<Db>, Path(id): Path<i64>) -> Result<StatusCode> {
    User::delete()
        .filter(User::ID.eq(id))
        .returning()
        .fetch_one(&db)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
