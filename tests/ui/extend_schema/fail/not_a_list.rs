use drf::prelude::*;
use drf::{DefaultSettings, api_view, extend_schema};

#[api_view(GET)]
#[extend_schema = "200"]
async fn notes() -> StatusCode {
    StatusCode::OK
}

fn main() {
    let _ = Router::<DefaultSettings>::new().route("/notes/", notes);
}
