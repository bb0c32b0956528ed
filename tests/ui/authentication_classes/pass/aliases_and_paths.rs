use drf::prelude::*;
use drf::{DefaultSettings, View, api_view, authentication_classes};

mod auth {
    use drf::prelude::*;

    /// `Authorization: Bearer <key>`.
    #[derive(Debug)]
    pub struct Bearer;

    impl Authenticate for Bearer {
        const NAME: &'static str = "Bearer";
        async fn authenticate(req: &Request) -> AuthResult {
            drf::authentication::authenticate_token_keyword(req, "Bearer").await
        }
    }
}

/// A user type whose name is a near miss of `Token`: written as a path, it is the user's.
#[derive(Debug)]
pub struct Tokens;

impl Authenticate for Tokens {
    const NAME: &'static str = "Tokens";
    async fn authenticate(_: &Request) -> AuthResult {
        Ok(None)
    }
}

#[api_view(GET)]
#[authentication_classes(TokenAuthentication, BasicAuthentication, SessionAuthentication)]
async fn drf_names() -> StatusCode {
    StatusCode::OK
}

#[api_view(GET)]
#[authentication_classes(crate::auth::Bearer, self::Tokens, Token)]
async fn user_types() -> StatusCode {
    StatusCode::OK
}

#[api_view(GET)]
#[authentication_classes()]
async fn no_authentication() -> StatusCode {
    StatusCode::OK
}

fn main() {
    use drf::authentication::{Basic, Session, Token};
    use drf::view::Explicit;
    use std::any::TypeId;
    assert_eq!(
        TypeId::of::<<drf_names as View>::Authentication>(),
        TypeId::of::<Explicit<(Token, Basic, Session)>>()
    );
    assert_eq!(
        TypeId::of::<<user_types as View>::Authentication>(),
        TypeId::of::<Explicit<(auth::Bearer, Tokens, Token)>>()
    );
    assert_eq!(
        TypeId::of::<<no_authentication as View>::Authentication>(),
        TypeId::of::<Explicit<()>>()
    );
    let _ = Router::<DefaultSettings>::new()
        .route("/a/", drf_names)
        .route("/b/", user_types)
        .route("/c/", no_authentication);
}
