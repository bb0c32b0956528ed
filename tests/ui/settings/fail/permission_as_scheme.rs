use drf::Router;

drf::settings! {
    DEFAULT_AUTHENTICATION_CLASSES = [Session, IsAdminUser];
}

fn main() {
    let _ = Router::<Settings>::new();
}
