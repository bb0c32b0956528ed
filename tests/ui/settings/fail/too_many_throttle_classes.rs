use drf::Router;
use drf::prelude::*;

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

throttles!(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, T16, T17);

drf::settings! {
    DEFAULT_THROTTLE_CLASSES = [T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, T16, T17];
}

fn main() {
    let _ = Router::<Settings>::new();
}
