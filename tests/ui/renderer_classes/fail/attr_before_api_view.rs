use drf::prelude::*;
use drf::{DefaultSettings, api_view, renderer_classes};

#[renderer_classes(JSONRenderer)]
#[api_view(GET)]
async fn notes() -> StatusCode {
    StatusCode::OK
}

fn main() {
    let _ = Router::<DefaultSettings>::new().route("/notes/", notes);
}
