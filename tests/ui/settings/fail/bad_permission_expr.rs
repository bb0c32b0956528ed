use drf::Router;

drf::settings! {
    DEFAULT_PERMISSION_CLASSES = [IsAuthenticated || IsAdminUser];
}

fn main() {
    let _ = Router::<Settings>::new();
}
