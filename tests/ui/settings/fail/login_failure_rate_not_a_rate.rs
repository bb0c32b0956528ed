use drf::Router;

drf::settings! {
    LOGIN_FAILURE_RATE = 5;
}

fn main() {
    let _ = Router::<Settings>::new();
}
