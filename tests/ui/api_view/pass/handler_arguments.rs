use drf::prelude::*;
use drf::{DefaultSettings, api_view};
use serde::Deserialize;

#[derive(Deserialize)]
struct Body {
    title: String,
}

#[api_view(POST)]
async fn every_argument(
    Path((kind, id)): Path<(String, i64)>,
    Json(body): Json<Body>,
    Data(raw): Data,
    request: Request,
    user: User,
    auth: Auth,
) -> Result<Json<serde_json::Value>, ApiError> {
    let _ = (request, auth);
    Ok(Json(json!({
        "kind": kind,
        "id": id,
        "title": body.title,
        "raw": raw,
        "user": user.username,
    })))
}

#[api_view(GET)]
async fn no_arguments() -> (StatusCode, Json<&'static str>) {
    (StatusCode::ACCEPTED, Json("ok"))
}

fn main() {
    let _ = Router::<DefaultSettings>::new()
        .route("/<str:kind>/<int:id>/", every_argument)
        .route("/", no_arguments);
}
