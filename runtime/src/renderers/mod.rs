//! Renderers, as DRF has them: what a view's answer may be turned into, and the content
//! negotiation that picks one ([`negotiation`]).
//!
//! Every handler answers JSON (or a [`Response`] of its own). The renderer that negotiation
//! picks then gets that answer: [`JSONRenderer`] leaves it as it is, [`BrowsableAPIRenderer`]
//! wraps it in DRF's browsable page (see [`browsable`]). A view's list comes from
//! `#[renderer_classes(...)]`, else from `DEFAULT_RENDERER_CLASSES` in `settings!` (DRF's
//! default: `[JSONRenderer, BrowsableAPIRenderer]`).
//!
//! A renderer of your own implements [`Renderer`]:
//!
//! ```
//! use drf::renderers::{Renderer, Rendering};
//! use drf::prelude::*;
//!
//! /// Answers the JSON as plain text (for a terminal).
//! struct PlainText;
//!
//! impl Renderer for PlainText {
//!     const MEDIA_TYPE: &'static str = "text/plain";
//!     const FORMAT: &'static str = "txt";
//!
//!     async fn render(_: &Rendering<'_>, mut answer: Response) -> Response {
//!         answer.headers_mut().insert(
//!             drf::http::header::CONTENT_TYPE,
//!             HeaderValue::from_static("text/plain; charset=utf-8"),
//!         );
//!         answer
//!     }
//! }
//! ```

pub mod browsable;
pub(crate) mod negotiation;

use std::future::Future;

use http::Method;

use crate::openapi::{HandlerDoc, Schemas};
use crate::request::{BoxFuture, Request};
use crate::response::Response;
use crate::tuples::all_the_tuples;

pub use crate::render::RendererInfo;
pub use browsable::BrowsableAPIRenderer;

/// A renderer: DRF's `BaseRenderer`. Listed in `#[renderer_classes(...)]` or
/// `DEFAULT_RENDERER_CLASSES`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a renderer",
    label = "not a renderer",
    note = "a renderer implements `drf::renderers::Renderer`; the built-in ones are `JSONRenderer` and `BrowsableAPIRenderer`"
)]
pub trait Renderer: Send + Sync + 'static {
    /// The media type it answers (DRF's `media_type`).
    const MEDIA_TYPE: &'static str;
    /// The name `?format=` selects it by (DRF's `format`).
    const FORMAT: &'static str;
    /// True when the view's JSON answer is already this renderer's: `render` is not called.
    const KEEPS_JSON: bool = false;

    /// Turns the view's answer (its status, headers and JSON body, `Allow` and `Vary`
    /// included, or a [`Response`] the handler built itself) into this renderer's.
    fn render(cx: &Rendering<'_>, answer: Response) -> impl Future<Output = Response> + Send;
}

/// DRF's `JSONRenderer`: the view's JSON answer as it is (compact, UTF-8; `indent` from the
/// accepted media type).
#[derive(Debug, Clone, Copy, Default)]
pub struct JSONRenderer;

impl Renderer for JSONRenderer {
    const MEDIA_TYPE: &'static str = "application/json";
    const FORMAT: &'static str = "json";
    const KEEPS_JSON: bool = true;

    async fn render(_: &Rendering<'_>, answer: Response) -> Response {
        answer
    }
}

/// A list of renderers, in negotiation order. Implemented for tuples of [`Renderer`]s.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a list of renderers",
    note = "list renderers in `#[renderer_classes(...)]` or `DEFAULT_RENDERER_CLASSES`"
)]
pub trait RendererList: Send + Sync + 'static {
    /// How many.
    const LEN: usize;
    /// Each one's media type and format, in order.
    const INFO: &'static [RendererInfo];

    /// Runs renderer `index` of the list on `answer`.
    fn render<'a>(index: usize, cx: &'a Rendering<'a>, answer: Response)
    -> BoxFuture<'a, Response>;
}

impl RendererList for () {
    const LEN: usize = 0;
    const INFO: &'static [RendererInfo] = &[];

    fn render<'a>(_: usize, _: &'a Rendering<'a>, answer: Response) -> BoxFuture<'a, Response> {
        Box::pin(async move { answer })
    }
}

macro_rules! impl_renderer_list {
    ($($t:ident),+) => {
        impl<$($t: Renderer),+> RendererList for ($($t,)+) {
            const LEN: usize = [$($t::FORMAT),+].len();
            const INFO: &'static [RendererInfo] = &[$(RendererInfo {
                media_type: $t::MEDIA_TYPE,
                format: $t::FORMAT,
                keeps_json: $t::KEEPS_JSON,
            }),+];

            fn render<'a>(
                index: usize,
                cx: &'a Rendering<'a>,
                answer: Response,
            ) -> BoxFuture<'a, Response> {
                let mut i = 0;
                $(
                    if index == i {
                        return Box::pin($t::render(cx, answer));
                    }
                    i += 1;
                )+
                let _ = i;
                Box::pin(async move { answer })
            }
        }
    };
}

all_the_tuples!(impl_renderer_list);

/// Checks whether the caller may send `method` to the view (its permissions, as DRF's
/// `show_form_for_method`).
pub(crate) type MaySend = for<'a> fn(&'a Request, Method) -> BoxFuture<'a, bool>;

/// What a renderer knows of the view and the request it renders the answer of.
pub struct Rendering<'a> {
    pub(crate) request: &'a Request,
    pub(crate) name: &'static str,
    pub(crate) description: &'static str,
    pub(crate) methods: &'static [Method],
    pub(crate) renderers: &'static [RendererInfo],
    pub(crate) may_send: MaySend,
    pub(crate) openapi: fn(&mut Schemas) -> HandlerDoc,
}

impl std::fmt::Debug for Rendering<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rendering")
            .field("view", &self.name)
            .field("request", self.request)
            .finish_non_exhaustive()
    }
}

impl Rendering<'_> {
    /// The request.
    pub fn request(&self) -> &Request {
        self.request
    }

    /// The view's name (DRF's `get_view_name`).
    pub fn view_name(&self) -> &'static str {
        self.name
    }

    /// The view's description (the handler's doc comment).
    pub fn view_description(&self) -> &'static str {
        self.description
    }

    /// The methods the view answers (OPTIONS aside).
    pub fn methods(&self) -> &'static [Method] {
        self.methods
    }

    /// The view's renderers, in order.
    pub fn renderers(&self) -> &'static [RendererInfo] {
        self.renderers
    }

    /// True when the caller may send `method` to the view: it is one of the view's methods
    /// and the view's permissions admit the caller for it (DRF's `show_form_for_method`;
    /// object permissions are not checked).
    pub async fn may_send(&self, method: Method) -> bool {
        self.methods.contains(&method) && (self.may_send)(self.request, method).await
    }

    /// What the OpenAPI document says of the handler (its typed body, its answer), with the
    /// schemas it names.
    pub fn handler_doc(&self) -> (HandlerDoc, Schemas) {
        let mut schemas = Schemas::default();
        let doc = (self.openapi)(&mut schemas);
        (doc, schemas)
    }
}
