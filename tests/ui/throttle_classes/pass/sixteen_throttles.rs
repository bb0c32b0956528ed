// The longest list: 16 throttles, built-ins and one's own.

use drf::prelude::*;
use drf::throttling::{ThrottleList, UserRate};
use drf::view::Explicit;
use drf::{DefaultSettings, View, api_view, throttle_classes};

/// Distinct throttles of one's own: a list may not repeat a class.
macro_rules! throttles {
    ($($name:ident),*) => {$(
        #[derive(Debug)]
        pub struct $name;

        impl Throttle for $name {
            async fn allow_request(_: &ThrottleContext<'_>) -> Result<Decision, ApiError> {
                Ok(Decision::Allow)
            }
        }
    )*};
}

throttles!(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15);

#[api_view(GET)]
#[throttle_classes(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, UserRate)]
async fn sixteen() -> StatusCode {
    StatusCode::OK
}

type Throttles = (T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, UserRate);

fn main() {
    use std::any::TypeId;
    assert_eq!(
        TypeId::of::<<sixteen as View>::Throttle>(),
        TypeId::of::<Explicit<Throttles>>()
    );
    assert_eq!(<Throttles as ThrottleList>::LEN, 16);
    let mut scopes = Vec::new();
    <Throttles as ThrottleList>::scopes(None, &mut scopes);
    assert_eq!(scopes, ["user"], "the 16th throttle's scope");
    let _ = Router::<DefaultSettings>::new().route("/", sixteen);
}
