// The most arguments a handler may take: 16.

use drf::prelude::*;
use drf::{DefaultSettings, api_view};

#[api_view(GET)]
async fn sixteen(
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
    a11: Auth,
    a12: Auth,
    a13: Auth,
    a14: Auth,
    a15: Auth,
    request: Request,
) -> StatusCode {
    let _ = (a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, request);
    StatusCode::OK
}

fn main() {
    let _ = Router::<DefaultSettings>::new().route("/", sixteen);
}
