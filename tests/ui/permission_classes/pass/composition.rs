use drf::prelude::*;
use drf::{DefaultSettings, View, api_view, permission_classes};

mod perms {
    use drf::prelude::*;

    #[derive(Debug)]
    pub struct IsOwner;

    impl Permission for IsOwner {}
}

#[derive(Debug)]
pub struct ReadOnly;

impl Permission for ReadOnly {}

#[api_view(GET)]
#[permission_classes(IsAuthenticated & !IsAdminUser)]
async fn not_admin() -> StatusCode {
    StatusCode::OK
}

#[api_view(GET)]
#[permission_classes(
    IsAuthenticated,
    (perms::IsOwner | IsAdminUser) & !ReadOnly,
    !!AllowAny | IsAuthenticatedOrReadOnly & crate::ReadOnly,
)]
async fn composed() -> StatusCode {
    StatusCode::OK
}

#[api_view(GET)]
#[permission_classes()]
async fn anyone() -> StatusCode {
    StatusCode::OK
}

fn main() {
    use drf::permissions::{
        AllowAny, And, IsAdminUser, IsAuthenticated, IsAuthenticatedOrReadOnly, Not, Or,
    };
    use drf::view::Explicit;
    use std::any::TypeId;
    assert_eq!(
        TypeId::of::<<not_admin as View>::Permission>(),
        TypeId::of::<Explicit<(And<IsAuthenticated, Not<IsAdminUser>>,)>>()
    );
    assert_eq!(
        TypeId::of::<<composed as View>::Permission>(),
        TypeId::of::<
            Explicit<(
                IsAuthenticated,
                And<Or<perms::IsOwner, IsAdminUser>, Not<ReadOnly>>,
                Or<Not<Not<AllowAny>>, And<IsAuthenticatedOrReadOnly, ReadOnly>>,
            )>,
        >()
    );
    assert_eq!(
        TypeId::of::<<anyone as View>::Permission>(),
        TypeId::of::<Explicit<()>>()
    );
    let _ = Router::<DefaultSettings>::new()
        .route("/a/", not_admin)
        .route("/b/", composed)
        .route("/c/", anyone);
}
