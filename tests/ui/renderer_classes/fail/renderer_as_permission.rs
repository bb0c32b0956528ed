use drf::prelude::*;
use drf::{DefaultSettings, api_view, permission_classes};

#[api_view(GET)]
#[permission_classes(JSONRenderer)]
async fn notes() -> StatusCode {
    StatusCode::OK
}

fn main() {
    let _ = Router::<DefaultSettings>::new().route("/notes/", notes);
}
