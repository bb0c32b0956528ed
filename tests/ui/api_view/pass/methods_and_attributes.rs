use drf::prelude::*;
use drf::{DefaultSettings, View, api_view};

/// Every method DRF knows.
///
/// The description is DRF's dedented docstring:
///
///     indented lines keep their relative indentation.
#[api_view(GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, TRACE)]
#[cfg(all())]
#[allow(clippy::unused_async)]
pub(crate) async fn every_method(request: Request) -> StatusCode {
    let _ = request;
    StatusCode::NO_CONTENT
}

#[api_view]
async fn get_only() -> StatusCode {
    StatusCode::OK
}

#[api_view()]
async fn also_get_only() -> StatusCode {
    StatusCode::OK
}

#[api_view(POST)]
async fn r#type() -> StatusCode {
    StatusCode::OK
}

fn main() {
    assert_eq!(every_method::METHODS.len(), 8);
    assert_eq!(every_method::NAME, "Every Method");
    assert_eq!(
        every_method::DESCRIPTION,
        "Every method DRF knows.\n\nThe description is DRF's dedented docstring:\n\n    indented \
         lines keep their relative indentation."
    );
    assert_eq!(get_only::METHODS, [Method::GET]);
    assert_eq!(also_get_only::METHODS, [Method::GET]);
    assert_eq!(r#type::NAME, "Type");
    let _ = Router::<DefaultSettings>::new()
        .route("/all/", every_method)
        .route("/get/", get_only)
        .route("/also/", also_get_only)
        .route("/type/", r#type);
}
