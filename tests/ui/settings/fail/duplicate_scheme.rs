use drf::Router;

drf::settings! {
    DEFAULT_AUTHENTICATION_CLASSES = [SessionAuthentication, Basic, Session];
}

fn main() {
    let _ = Router::<Settings>::new();
}
