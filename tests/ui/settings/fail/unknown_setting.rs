use drf::Router;

drf::settings! {
    DEFAULT_AUTHENTICATION_CLASS = [Session, Basic];
}

fn main() {
    let _ = Router::<Settings>::new();
}
