//! The OpenAPI document as a view (drf-spectacular's `SpectacularAPIView`).

use http::Method;
use serde_json::json;

use crate::error::ApiError;
use crate::openapi::{AnswerDoc, HandlerDoc, Schema, Schemas};
use crate::renderers::JSONRenderer;
use crate::request::Request;
use crate::response::{IntoResponse, Json, Response};
use crate::router::SchemaSource;
use crate::view::{Explicit, View};

/// The view type of [`schema_view`]; route it with `.route("/api/schema/", schema_view)`.
///
/// GET only, no authentication, no permissions, no throttles: it answers the router's OpenAPI
/// 3.1 document as JSON (see [`crate::openapi`]), with `servers` set to the prefix the router
/// is mounted under, if any.
#[derive(Debug, Clone, Copy, Default)]
pub struct SchemaView;

/// The OpenAPI document of the router it is routed in: `.route("/api/schema/", schema_view)`.
pub const fn schema_view() -> SchemaView {
    SchemaView
}

impl View for SchemaView {
    const NAME: &'static str = "Schema";
    const DESCRIPTION: &'static str = "The API's OpenAPI 3.1 document.";
    const METHODS: &'static [Method] = &[Method::GET];
    type Authentication = Explicit<()>;
    type Permission = Explicit<()>;
    type Throttle = Explicit<()>;
    type Renderer = Explicit<(JSONRenderer,)>;

    async fn handle(req: Request) -> Result<Response, ApiError> {
        let doc = SchemaSource::document(
            req.state::<SchemaSource>(),
            req.app().config(),
            req.script_name(),
        );
        Json(doc).try_into_response()
    }

    fn openapi(_: &mut Schemas) -> HandlerDoc {
        HandlerDoc {
            answer: AnswerDoc {
                status: Some(200),
                schema: Schema::try_from(json!({"type": "object"})).ok(),
            },
            ..HandlerDoc::default()
        }
    }
}
