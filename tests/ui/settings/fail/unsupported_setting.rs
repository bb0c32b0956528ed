use drf::Router;

drf::settings! {
    DEFAULT_PARSER_CLASSES = [JSONParser];
}

fn main() {
    let _ = Router::<Settings>::new();
}
