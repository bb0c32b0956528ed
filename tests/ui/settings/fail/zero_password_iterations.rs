use drf::Router;

drf::settings! {
    PASSWORD_ITERATIONS = 0;
}

fn main() {
    let _ = Router::<Settings>::new();
}
