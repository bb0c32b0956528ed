// The longest list: 16 entries, the last a composition (which counts as one).

use drf::permissions::{And, IsAdminUser, IsAuthenticated, Not};
use drf::prelude::*;
use drf::view::Explicit;
use drf::{DefaultSettings, View, api_view, permission_classes};

/// Distinct permissions of one's own: a list may not repeat a class.
macro_rules! permissions {
    ($($name:ident),*) => {$(
        #[derive(Debug)]
        pub struct $name;

        impl Permission for $name {}
    )*};
}

permissions!(P1, P2, P3, P4, P5, P6, P7, P8, P9, P10, P11, P12, P13, P14, P15, P16);

#[api_view(GET)]
#[permission_classes(
    P1, P2, P3, P4, P5, P6, P7, P8, P9, P10, P11, P12, P13, P14, P15,
    IsAuthenticated & !IsAdminUser & P16,
)]
async fn sixteen() -> StatusCode {
    StatusCode::OK
}

fn main() {
    use std::any::TypeId;
    type Last = And<And<IsAuthenticated, Not<IsAdminUser>>, P16>;
    assert_eq!(
        TypeId::of::<<sixteen as View>::Permission>(),
        TypeId::of::<
            Explicit<(P1, P2, P3, P4, P5, P6, P7, P8, P9, P10, P11, P12, P13, P14, P15, Last)>,
        >()
    );
    let _ = Router::<DefaultSettings>::new().route("/", sixteen);
}
