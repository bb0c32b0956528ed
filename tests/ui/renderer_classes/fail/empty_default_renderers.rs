mod settings {
    drf::settings! {
        DEFAULT_RENDERER_CLASSES = [];
    }
}

fn main() {}
