use drf::prelude::*;
use drf::{DefaultSettings, api_view, extend_schema};

#[extend_schema(responses(200))]
#[api_view(GET)]
async fn notes() -> StatusCode {
    StatusCode::OK
}

fn main() {
    let _ = Router::<DefaultSettings>::new().route("/notes/", notes);
}
