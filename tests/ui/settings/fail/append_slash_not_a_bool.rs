use drf::Router;

drf::settings! {
    APPEND_SLASH = "no";
}

fn main() {
    let _ = Router::<Settings>::new();
}
