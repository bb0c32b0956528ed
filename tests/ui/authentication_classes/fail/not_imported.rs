use drf::prelude::*;
use drf::{DefaultSettings, api_view};

#[api_view(GET)]
#[authentication_classes(Token)]
async fn add_data(request: Request, user: User) -> StatusCode {
    let _ = (request, user);
    StatusCode::OK
}

fn main() {
    let _ = Router::<DefaultSettings>::new().route("/data/", add_data);
}
