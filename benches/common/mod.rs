//! The views both benchmarks serve (`load.rs` over sockets, `pipeline.rs` in process), so
//! that their figures are of the same views.

use drf::prelude::*;
use drf::{api_view, authentication_classes, permission_classes};
use serde_json::Value;

/// No schemes, AllowAny: the pipeline's own cost.
#[api_view(GET)]
#[authentication_classes()]
#[permission_classes(AllowAny)]
pub async fn open(user: User) -> Json<Value> {
    Json(json!({"username": user.username, "is_authenticated": false, "auth": null}))
}

/// Token (then Basic) and IsAuthenticated: the authenticated path.
#[api_view(GET)]
#[authentication_classes(Token, Basic)]
#[permission_classes(IsAuthenticated)]
pub async fn token(user: User, auth: Auth) -> Json<Value> {
    Json(json!({"username": user.username, "is_authenticated": true, "auth": auth.key()}))
}
