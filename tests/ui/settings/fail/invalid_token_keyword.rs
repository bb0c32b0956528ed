use drf::Router;

drf::settings! {
    TOKEN_KEYWORD = "Bear er";
}

fn main() {
    let _ = Router::<Settings>::new();
}
