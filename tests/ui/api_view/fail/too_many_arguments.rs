use drf::prelude::*;
use drf::{DefaultSettings, api_view};

#[api_view(GET)]
async fn add_data(
    a1: User,
    a2: User,
    a3: User,
    a4: User,
    a5: User,
    a6: User,
    a7: User,
    a8: User,
    a9: User,
    a10: User,
    a11: User,
    a12: User,
    a13: User,
    a14: User,
    a15: User,
    a16: User,
    request: Request,
) -> StatusCode {
    let _ = (a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, request);
    StatusCode::OK
}

fn main() {
    let _ = Router::<DefaultSettings>::new().route("/data/", add_data);
}
