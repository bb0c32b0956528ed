use drf::Router;

drf::settings! {
    TOKEN_KEYWORD = "Bearer";
    PASSWORD_ITERATIONS = 1_000_000;
    TOKEN_KEYWORD = "Token";
}

fn main() {
    let _ = Router::<Settings>::new();
}
