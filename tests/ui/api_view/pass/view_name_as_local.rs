// A local binding may share the view's name: the view's value is a function, which `let`
// shadows, not a unit struct that patterns would match against.
use drf::prelude::*;
use drf::{DefaultSettings, api_view};

#[api_view(GET)]
async fn note(Path(note): Path<i64>) -> Json<serde_json::Value> {
    let user = note + 1;
    Json(json!({ "note": user }))
}

#[api_view(GET)]
async fn user(user: User) -> Json<serde_json::Value> {
    Json(json!({ "user": user.username }))
}

fn main() {
    let note_value = 3;
    let note = note_value;
    let _ = note;
    let _router = Router::<DefaultSettings>::new()
        .route("/note/<int:note>/", self::note)
        .route("/user/", user);
}
