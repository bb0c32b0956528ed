use drf::Router;

fn nobody() -> Option<drf::User> {
    None
}

drf::settings! {
    UNAUTHENTICATED_USER = nobody;
}

fn main() {
    let _ = Router::<Settings>::new();
}
