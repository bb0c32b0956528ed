use drf::prelude::*;
use drf::{DefaultSettings, api_view, renderer_classes};

struct Csv;

#[api_view(GET)]
#[renderer_classes(self::Csv)]
async fn notes() -> StatusCode {
    StatusCode::OK
}

fn main() {
    let _ = Router::<DefaultSettings>::new().route("/notes/", notes);
}
