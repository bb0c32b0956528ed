use drf::prelude::*;
use drf::{DefaultSettings, api_view, authentication_classes};

#[derive(Debug)]
pub struct IsOwner;

impl Permission for IsOwner {}

#[api_view(GET)]
#[authentication_classes(Token, IsOwner)]
async fn add_data(request: Request, user: User) -> StatusCode {
    let _ = (request, user);
    StatusCode::OK
}

fn main() {
    let _ = Router::<DefaultSettings>::new().route("/data/", add_data);
}
