use drf::Router;

drf::settings! {
    "DEFAULT_PERMISSION_CLASSES" = [AllowAny];
}

fn main() {
    let _ = Router::<Settings>::new();
}
