use drf::Router;
use drf::prelude::*;

#[derive(Debug)]
pub struct IsOwner;

impl Permission for IsOwner {}

drf::settings! {
    DEFAULT_AUTHENTICATION_CLASSES = [Session, IsOwner];
}

fn main() {
    let _ = Router::<Settings>::new();
}
