use drf::api_view;

#[api_view(GET)]
struct AddData;

fn main() {
    let _ = AddData;
}
