use drf::Router;

drf::settings! {
    LOGIN_FAILURE_RATE = "0/min";
}

fn main() {
    let _ = Router::<Settings>::new();
}
