use drf::Router;

drf::settings! {
    DEFAULT_THROTTLE_CLASSES = [AnonRate, Token];
}

fn main() {
    let _ = Router::<Settings>::new();
}
