use drf::Router;

drf::settings! {
    DEFAULT_RENDERER_CLASSES = [JSONRenderer];
}

fn main() {
    let _ = Router::<Settings>::new();
}
