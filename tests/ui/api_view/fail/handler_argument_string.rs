use drf::prelude::*;
use drf::{DefaultSettings, api_view};

#[api_view(POST)]
async fn echo(user: User, body: String) -> StatusCode {
    let _ = (user, body);
    StatusCode::OK
}

fn main() {
    let _ = Router::<DefaultSettings>::new().route("/echo/", echo);
}
