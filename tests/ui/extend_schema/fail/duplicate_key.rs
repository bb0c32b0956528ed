use drf::prelude::*;
use drf::{DefaultSettings, api_view, extend_schema};

#[api_view(POST)]
#[extend_schema(request = String, request = String)]
async fn notes() -> StatusCode {
    StatusCode::OK
}

fn main() {
    let _ = Router::<DefaultSettings>::new().route("/notes/", notes);
}
