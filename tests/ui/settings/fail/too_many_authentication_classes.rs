use drf::Router;
use drf::prelude::*;

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

schemes!(S1, S2, S3, S4, S5, S6, S7, S8, S9, S10, S11, S12, S13, S14, S15, S16, S17);

drf::settings! {
    DEFAULT_AUTHENTICATION_CLASSES = [S1, S2, S3, S4, S5, S6, S7, S8, S9, S10, S11, S12, S13, S14, S15, S16, S17];
}

fn main() {
    let _ = Router::<Settings>::new();
}
