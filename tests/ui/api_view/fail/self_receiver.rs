use drf::api_view;
use drf::prelude::*;

struct Views;

impl Views {
    #[api_view(GET)]
    async fn add_data(&self, request: Request) -> StatusCode {
        let _ = request;
        StatusCode::OK
    }
}

fn main() {
    let _ = Views;
}
