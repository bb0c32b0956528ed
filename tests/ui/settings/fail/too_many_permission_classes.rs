use drf::Router;
use drf::prelude::*;

/// Distinct permissions of one's own: a list may not repeat a class.
macro_rules! permissions {
    ($($name:ident),*) => {$(
        #[derive(Debug)]
        pub struct $name;

        impl Permission for $name {}
    )*};
}

permissions!(P1, P2, P3, P4, P5, P6, P7, P8, P9, P10, P11, P12, P13, P14, P15, P16, P17);

drf::settings! {
    DEFAULT_PERMISSION_CLASSES = [P1, P2, P3, P4, P5, P6, P7, P8, P9, P10, P11, P12, P13, P14, P15, P16, P17];
}

fn main() {
    let _ = Router::<Settings>::new();
}
