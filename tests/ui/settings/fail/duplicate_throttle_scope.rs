use drf::Router;

drf::settings! {
    DEFAULT_THROTTLE_RATES = { anon: "3/min", user: "5/min", anon: "4/min" };
}

fn main() {
    let _ = Router::<Settings>::new();
}
