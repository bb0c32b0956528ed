use drf::Router;

drf::settings! {
    TOKEN_KEYWORD = "Bearer"
    PASSWORD_ITERATIONS = 1_000_000;
}

fn main() {
    let _ = Router::<Settings>::new();
}
