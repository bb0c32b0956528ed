use drf::prelude::*;
use drf::{DefaultSettings, api_view};

#[api_view(GET)]
async fn add_data<T: Default>(request: Request, user: User) -> StatusCode {
    let _ = (request, user, T::default());
    StatusCode::OK
}

fn main() {
    let _ = Router::<DefaultSettings>::new().route("/data/", add_data);
}
