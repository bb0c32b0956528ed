use drf::throttle_scope;

#[throttle_scope("burst")]
async fn search() {}

fn main() {
    let _ = search;
}
