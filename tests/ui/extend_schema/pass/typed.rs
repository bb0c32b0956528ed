use drf::prelude::*;
use drf::{DefaultSettings, api_view, extend_schema};

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct NoteIn {
    title: String,
}

/// No schema: documented without one.
#[derive(serde::Serialize)]
struct Plain {}

#[api_view(GET, POST)]
#[extend_schema(request = NoteIn, responses(200 = Vec<String>, 201 = Plain, 404, 409,))]
async fn notes(request: Request) -> StatusCode {
    let _ = request;
    StatusCode::OK
}

fn main() {
    let _ = Router::<DefaultSettings>::new().route("/notes/", notes);
}
