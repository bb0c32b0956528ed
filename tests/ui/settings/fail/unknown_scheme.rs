use drf::Router;

drf::settings! {
    DEFAULT_AUTHENTICATION_CLASSES = [Sesion, Basic];
}

fn main() {
    let _ = Router::<Settings>::new();
}
