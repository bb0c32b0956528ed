//! The router as a tower (and hyper) service: [`RouterService`].

use std::convert::Infallible;
use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::body::Body;

use super::respond::respond;
use super::{BoxError, BoxFuture, HttpResponse, PeerAddr, ScriptName};
use crate::app::App;
use crate::router::Router;
use crate::settings::Settings;

/// The router as a tower [`Service`](tower_service::Service) (and a hyper
/// [`Service`](hyper::service::Service)): tower-http layers wrap it, axum mounts it
/// (`nest_service`, `fallback_service`), hyper serves it.
///
/// It reads any body whose data is [`Bytes`] up to
/// [`Config::max_body_size`](crate::config::Config::max_body_size) within
/// [`Config::body_timeout`](crate::config::Config::body_timeout) (413 and 408 as the
/// [server](super) answers), turns a panic into a 500 and never fails (`Error =
/// Infallible`). Connection timeouts are the business of whatever serves it. The peer address
/// comes from a [`PeerAddr`] extension, if any.
///
/// ```
/// # async fn doc(app: drf_runtime::App) {
/// use tower_service::Service;
///
/// let mut svc = drf_runtime::Router::<drf_runtime::DefaultSettings>::new().into_service(app);
/// let req = http::Request::get("/nowhere/")
///     .body(http_body_util::Full::new(bytes::Bytes::new()))
///     .unwrap();
/// let resp = svc.call(req).await.unwrap();
/// assert_eq!(resp.status(), 404);
/// # }
/// ```
pub struct RouterService<S: Settings> {
    router: Arc<Router<S>>,
    app: App,
    script_name: Option<ScriptName>,
}

impl<S: Settings> Clone for RouterService<S> {
    fn clone(&self) -> Self {
        Self {
            router: Arc::clone(&self.router),
            app: self.app.clone(),
            script_name: self.script_name.clone(),
        }
    }
}

impl<S: Settings> fmt::Debug for RouterService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RouterService")
            .field("router", &self.router)
            .field("script_name", &self.script_name)
            .finish_non_exhaustive()
    }
}

impl<S: Settings> RouterService<S> {
    /// A service answering with `router` and `app`.
    pub fn new(router: Arc<Router<S>>, app: App) -> Self {
        Self {
            router,
            app,
            script_name: None,
        }
    }

    /// The same service, mounted under `prefix` by something that strips the prefix from the
    /// path before this service sees it, as axum's `nest_service("/api", svc)` does: give it
    /// the same prefix (`svc.with_script_name("/api")`). Routes are still matched against
    /// the path the service receives; what changes is what goes back out (see
    /// [`ScriptName`]), so that the `APPEND_SLASH` redirect of `/api/notes` is
    /// `/api/notes/` and not `/notes/`.
    ///
    /// # Panics
    ///
    /// As [`ScriptName::new`]: when `prefix` does not start with `/` or is not visible ASCII.
    pub fn with_script_name(mut self, prefix: &str) -> Self {
        let name = ScriptName::new(prefix);
        self.script_name = (!name.as_str().is_empty()).then_some(name);
        self
    }

    /// The router.
    pub fn router(&self) -> &Arc<Router<S>> {
        &self.router
    }

    /// The application state.
    pub fn app(&self) -> &App {
        &self.app
    }

    /// The answer to `req`, for both `Service` impls.
    fn answer<B>(&self, mut req: http::Request<B>) -> BoxFuture<Result<HttpResponse, Infallible>>
    where
        B: Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        if let Some(name) = &self.script_name {
            req.extensions_mut().insert(name.clone());
        }
        let this = self.clone();
        Box::pin(async move {
            let peer = req.extensions().get::<PeerAddr>().map(|p| p.0);
            let (resp, _unread) = respond(&this.router, &this.app, req, peer).await;
            Ok(resp)
        })
    }
}

impl<S: Settings> Router<S> {
    /// This router as a tower service over `app`: see [`RouterService`].
    pub fn into_service(self, app: App) -> RouterService<S> {
        RouterService::new(Arc::new(self), app)
    }
}

impl<S, B> tower_service::Service<http::Request<B>> for RouterService<S>
where
    S: Settings,
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = HttpResponse;
    type Error = Infallible;
    type Future = BoxFuture<Result<HttpResponse, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        self.answer(req)
    }
}

/// Kept so that code serving a `RouterService` with hyper directly still compiles; it does
/// what the tower impl does, without the clone and `poll_ready` round trip that wrapping it
/// in `hyper_util::service::TowerToHyperService` would add.
impl<S, B> hyper::service::Service<http::Request<B>> for RouterService<S>
where
    S: Settings,
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = HttpResponse;
    type Error = Infallible;
    type Future = BoxFuture<Result<HttpResponse, Infallible>>;

    fn call(&self, req: http::Request<B>) -> Self::Future {
        self.answer(req)
    }
}

#[cfg(test)]
mod tests {
    use crate::request::ScriptName;

    #[test]
    fn script_names_lose_their_trailing_slashes() {
        assert_eq!(ScriptName::new("/api").as_str(), "/api");
        assert_eq!(ScriptName::new("/api/").as_str(), "/api");
        assert_eq!(ScriptName::new("/a/b//").as_str(), "/a/b");
        assert_eq!(ScriptName::new("/").as_str(), "");
        assert_eq!(ScriptName::new("").as_str(), "");
    }

    #[test]
    fn a_script_name_that_is_no_path_is_refused_at_once() {
        for bad in ["api", "/a b", "/api?x", "/api#x", "/caf\u{e9}", "/a\nb"] {
            let refused = std::panic::catch_unwind(|| ScriptName::new(bad));
            assert!(refused.is_err(), "{bad:?} was accepted");
        }
    }
}
