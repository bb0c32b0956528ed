// The longest lists in the settings: 16 of each.

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

/// Distinct permissions of one's own: a list may not repeat a class.
macro_rules! permissions {
    ($($name:ident),*) => {$(
        #[derive(Debug)]
        pub struct $name;

        impl Permission for $name {}
    )*};
}

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

schemes!(S1, S2, S3, S4, S5, S6, S7, S8, S9, S10, S11, S12, S13, S14, S15, S16);
permissions!(P1, P2, P3, P4, P5, P6, P7, P8, P9, P10, P11, P12, P13, P14, P15, P16);
throttles!(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14);

drf::settings! {
    DEFAULT_AUTHENTICATION_CLASSES = [S1, S2, S3, S4, S5, S6, S7, S8, S9, S10, S11, S12, S13, S14, S15, S16];
    DEFAULT_PERMISSION_CLASSES = [P1, P2, P3, P4, P5, P6, P7, P8, P9, P10, P11, P12, P13, P14, P15, P16];
    DEFAULT_THROTTLE_CLASSES = [T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, AnonRate, UserRate];
    DEFAULT_THROTTLE_RATES = { anon: "100/day", user: None };
}

fn main() {
    use drf::throttling::{AnonRate, UserRate};
    use std::any::TypeId;
    assert_eq!(
        TypeId::of::<<Settings as drf::Settings>::Authentication>(),
        TypeId::of::<(S1, S2, S3, S4, S5, S6, S7, S8, S9, S10, S11, S12, S13, S14, S15, S16)>()
    );
    assert_eq!(
        TypeId::of::<<Settings as drf::Settings>::Permission>(),
        TypeId::of::<(P1, P2, P3, P4, P5, P6, P7, P8, P9, P10, P11, P12, P13, P14, P15, P16)>()
    );
    assert_eq!(
        TypeId::of::<<Settings as drf::Settings>::Throttle>(),
        TypeId::of::<(
            T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, AnonRate, UserRate
        )>()
    );
    let _ = Router::<Settings>::new();
}
