use drf::permission_classes;
use drf::prelude::*;

#[permission_classes(IsAuthenticated)]
async fn add_data(request: Request, user: User) -> StatusCode {
    let _ = (request, user);
    StatusCode::OK
}

fn main() {}
