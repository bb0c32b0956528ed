use drf::prelude::*;
use drf::{DefaultSettings, api_view};

#[api_view(GET)]
async fn count(request: Request) -> u8 {
    let _ = request;
    7
}

fn main() {
    let _ = Router::<DefaultSettings>::new().route("/count/", count);
}
