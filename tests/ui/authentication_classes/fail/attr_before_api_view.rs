use drf::prelude::*;
use drf::{DefaultSettings, api_view, authentication_classes};

#[authentication_classes(Token)]
#[api_view(GET)]
async fn add_data(request: Request, user: User) -> StatusCode {
    let _ = (request, user);
    StatusCode::OK
}

fn main() {
    let _ = Router::<DefaultSettings>::new().route("/data/", add_data);
}
