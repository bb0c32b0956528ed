// The longest list: 16 schemes, tried in the order written.

use drf::authentication::AuthenticationList;
use drf::prelude::*;
use drf::view::Explicit;
use drf::{DefaultSettings, View, api_view, authentication_classes};

/// Distinct schemes of one's own: a list may not repeat a class.
macro_rules! schemes {
    ($($name:ident),*) => {$(
        #[derive(Debug)]
        pub struct $name;

        impl Authenticate for $name {
            const NAME: &'static str = stringify!($name);
            async fn authenticate(_: &Request) -> AuthResult {
                Ok(None)
            }
        }
    )*};
}

schemes!(S1, S2, S3, S4, S5, S6, S7, S8, S9, S10, S11, S12, S13, S14, S15, S16);

#[api_view(GET)]
#[authentication_classes(S1, S2, S3, S4, S5, S6, S7, S8, S9, S10, S11, S12, S13, S14, S15, S16)]
async fn sixteen() -> StatusCode {
    StatusCode::OK
}

type Schemes = (S1, S2, S3, S4, S5, S6, S7, S8, S9, S10, S11, S12, S13, S14, S15, S16);

fn main() {
    use std::any::TypeId;
    assert_eq!(
        TypeId::of::<<sixteen as View>::Authentication>(),
        TypeId::of::<Explicit<Schemes>>()
    );
    assert_eq!(<Schemes as AuthenticationList>::LEN, 16);
    assert_eq!(
        <Schemes as AuthenticationList>::names(),
        [
            "S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "S9", "S10", "S11", "S12", "S13",
            "S14", "S15", "S16"
        ]
    );
    let _ = Router::<DefaultSettings>::new().route("/", sixteen);
}
