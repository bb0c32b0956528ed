use drf::Router;

drf::settings! {
    DEFAULT_THROTTLE_CLASSES = [AnonRate, ScopedRate];
    DEFAULT_THROTTLE_RATES = { user: "5/min", burst: "2/min" };
}

fn main() {
    let _ = Router::<Settings>::new();
}
