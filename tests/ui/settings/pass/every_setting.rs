use drf::prelude::*;

mod users {
    pub fn guest() -> drf::User {
        drf::User {
            username: "guest".to_owned(),
            ..drf::User::anonymous()
        }
    }

    pub fn no_auth() -> drf::Auth {
        drf::Auth::None
    }
}

#[derive(Debug)]
pub struct IsOwner;

impl Permission for IsOwner {}

drf::settings! {
    DEFAULT_AUTHENTICATION_CLASSES = (SessionAuthentication, Token, Basic);
    DEFAULT_PERMISSION_CLASSES = [IsAuthenticated & !IsAdminUser | crate::IsOwner, AllowAny,];
    TOKEN_KEYWORD = "Bearer";
    PASSWORD_ITERATIONS = 600_000u32;
    UNAUTHENTICATED_USER = users::guest;
    UNAUTHENTICATED_TOKEN = crate::users::no_auth;
    DEFAULT_THROTTLE_CLASSES = [AnonRateThrottle, UserRate, ScopedRate];
    DEFAULT_THROTTLE_RATES = {
        anon: "100/day",
        user: "1000/d",
        "uploads-per-hour": "5/hour",
        burst: "3/s",
        sustained: None,
    };
    LOGIN_FAILURE_RATE = "10/hour";
    LOGIN_FAILURE_RATE_PER_CLIENT = None;
}

fn main() {
    use drf::Settings as _;
    use drf::authentication::{Basic, Session, Token};
    use drf::permissions::{AllowAny, And, IsAdminUser, IsAuthenticated, Not, Or};
    use std::any::TypeId;
    assert_eq!(
        TypeId::of::<<Settings as drf::Settings>::Authentication>(),
        TypeId::of::<(Session, Token, Basic)>()
    );
    assert_eq!(
        TypeId::of::<<Settings as drf::Settings>::Permission>(),
        TypeId::of::<(
            Or<And<IsAuthenticated, Not<IsAdminUser>>, IsOwner>,
            AllowAny
        )>()
    );
    assert_eq!(
        TypeId::of::<<Settings as drf::Settings>::Throttle>(),
        TypeId::of::<(
            drf::throttling::AnonRate,
            drf::throttling::UserRate,
            drf::throttling::ScopedRate
        )>()
    );
    use drf::throttling::Rate;
    assert_eq!(
        Settings::THROTTLE_RATES,
        &[
            ("anon", Some(Rate::new(100, 86400))),
            ("user", Some(Rate::new(1000, 86400))),
            ("uploads-per-hour", Some(Rate::new(5, 3600))),
            ("burst", Some(Rate::new(3, 1))),
            ("sustained", None),
        ]
    );
    assert_eq!(Settings::TOKEN_KEYWORD, "Bearer");
    assert_eq!(Settings::LOGIN_FAILURE_RATE, Some(Rate::new(10, 3600)));
    assert_eq!(Settings::LOGIN_FAILURE_RATE_PER_CLIENT, None);
    assert_eq!(Settings::PASSWORD_ITERATIONS, 600_000);
    assert_eq!(Settings::unauthenticated_user().username, "guest");
    assert!(Settings::unauthenticated_token().is_none());
    let _ = Router::<Settings>::new();
}
