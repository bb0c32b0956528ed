// The view attributes work fully qualified, without imports (matched by their last segment).

#[drf::api_view(GET)]
#[drf::authentication_classes(Token)]
#[drf::permission_classes(IsAuthenticated)]
#[drf::throttle_classes(UserRate)]
async fn qualified(user: drf::User) -> drf::http::StatusCode {
    let _ = user;
    drf::http::StatusCode::OK
}

fn main() {
    let _ = drf::Router::<drf::DefaultSettings>::new().route("/q/", qualified);
}
