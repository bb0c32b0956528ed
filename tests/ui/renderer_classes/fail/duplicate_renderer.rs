use drf::prelude::*;
use drf::{DefaultSettings, api_view, renderer_classes};

#[api_view(GET)]
#[renderer_classes(JSONRenderer, BrowsableAPIRenderer, JSONRenderer)]
async fn notes() -> StatusCode {
    StatusCode::OK
}

fn main() {
    let _ = Router::<DefaultSettings>::new().route("/notes/", notes);
}
