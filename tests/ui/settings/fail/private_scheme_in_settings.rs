use drf::Router;
use drf::prelude::*;

#[derive(Debug)]
struct ApiKey;

impl Authenticate for ApiKey {
    const NAME: &'static str = "ApiKey";
    async fn authenticate(_: &Request) -> AuthResult {
        Ok(None)
    }
}

drf::settings! {
    DEFAULT_AUTHENTICATION_CLASSES = [ApiKey];
}

fn main() {
    let _ = Router::<Settings>::new();
}
