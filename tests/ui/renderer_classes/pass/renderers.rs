use drf::prelude::*;
use drf::renderers::{Renderer, Rendering};
use drf::{api_view, renderer_classes};

mod settings {
    drf::settings! {
        DEFAULT_RENDERER_CLASSES = [JSONRenderer];
    }
}

/// A renderer of one's own.
struct PlainText;

impl Renderer for PlainText {
    const MEDIA_TYPE: &'static str = "text/plain";
    const FORMAT: &'static str = "txt";

    async fn render(_: &Rendering<'_>, answer: Response) -> Response {
        answer
    }
}

#[api_view(GET)]
#[renderer_classes(BrowsableAPIRenderer, JSONRenderer, self::PlainText)]
async fn notes() -> StatusCode {
    StatusCode::OK
}

#[api_view(GET)]
async fn defaults() -> StatusCode {
    StatusCode::OK
}

fn main() {
    let _ = Router::<settings::Settings>::new()
        .route("/notes/", notes)
        .route("/defaults/", defaults)
        .include_api_auth();
}
