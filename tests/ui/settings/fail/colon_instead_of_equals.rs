use drf::Router;

drf::settings! {
    TOKEN_KEYWORD: "Bearer";
}

fn main() {
    let _ = Router::<Settings>::new();
}
