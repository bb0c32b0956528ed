use drf::prelude::*;
use drf::{DefaultSettings, api_view};

#[api_view(GET)]
async fn add_data(request: Request, count: u32) -> StatusCode {
    let _ = (request, count);
    StatusCode::OK
}

fn main() {
    let _ = Router::<DefaultSettings>::new().route("/data/", add_data);
}
