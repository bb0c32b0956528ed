use drf::authentication_classes;
use drf::prelude::*;

#[authentication_classes(Token)]
async fn add_data(request: Request, user: User) -> StatusCode {
    let _ = (request, user);
    StatusCode::OK
}

fn main() {}
