use drf::prelude::*;
use drf::{DefaultSettings, api_view, permission_classes};

#[api_view(GET)]
#[permission_classes(IsAuthenticated, !)]
async fn add_data(request: Request, user: User) -> StatusCode {
    let _ = (request, user);
    StatusCode::OK
}

fn main() {
    let _ = Router::<DefaultSettings>::new().route("/data/", add_data);
}
