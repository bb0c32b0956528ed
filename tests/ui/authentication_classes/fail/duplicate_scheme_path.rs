use drf::prelude::*;
use drf::{DefaultSettings, api_view, authentication_classes};

#[derive(Debug)]
pub struct ApiKey;

impl Authenticate for ApiKey {
    const NAME: &'static str = "ApiKey";
    async fn authenticate(_: &Request) -> AuthResult {
        Ok(None)
    }
}

#[api_view(GET)]
#[authentication_classes(Token, self::ApiKey, self::ApiKey)]
async fn add_data(request: Request, user: User) -> StatusCode {
    let _ = (request, user);
    StatusCode::OK
}

fn main() {
    let _ = Router::<DefaultSettings>::new().route("/data/", add_data);
}
