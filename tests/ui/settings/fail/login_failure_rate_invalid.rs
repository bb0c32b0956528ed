use drf::Router;

drf::settings! {
    LOGIN_FAILURE_RATE_PER_CLIENT = "100/fortnight";
}

fn main() {
    let _ = Router::<Settings>::new();
}
