//! The browsable API through the quickstart's router: negotiation, the page, its forms, the
//! login and logout pages, escaping and the Content-Security-Policy. The same flow in a real
//! browser is `.ci/browser.sh` (tests/browser/).

mod common;

#[path = "../examples/quickstart/notes.rs"]
#[allow(dead_code)]
mod notes;
#[path = "../examples/quickstart/settings.rs"]
mod settings;
#[path = "../examples/quickstart/views.rs"]
mod views;

use drf::prelude::*;
use drf::renderers::browsable::CONTENT_SECURITY_POLICY;
use drf::testing::{APIClient, TestResponse, create_user, test_app};
use drf::{api_view, permission_classes, renderer_classes};
use serde_json::Value;

const BROWSER: &str =
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

async fn client() -> APIClient<settings::Settings> {
    let app = test_app().await;
    notes::create_table(&app).await.unwrap();
    create_user(&app, "alice", "alice-pass").await;
    APIClient::new(views::router(), app)
}

fn text(r: &TestResponse) -> &str {
    std::str::from_utf8(&r.body).unwrap()
}

/// The `name=value` of each `Set-Cookie`, joined as a browser sends them back.
fn cookies(r: &TestResponse, jar: &mut Vec<(String, String)>) {
    for v in r.headers.get_all("set-cookie") {
        let pair = v.to_str().unwrap().split(';').next().unwrap();
        let (k, val) = pair.split_once('=').unwrap();
        jar.retain(|(name, _)| name != k);
        if !val.is_empty() && !val.starts_with('"') {
            jar.push((k.to_owned(), val.to_owned()));
        }
    }
}

fn cookie_header(jar: &[(String, String)]) -> String {
    jar.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A browser's GET of `path`, with the cookies of `jar`.
async fn browse(
    c: &APIClient<settings::Settings>,
    path: &str,
    jar: &[(String, String)],
) -> TestResponse {
    c.get(path)
        .header("accept", BROWSER)
        .header("cookie", &cookie_header(jar))
        .send()
        .await
}

/// The value of the first hidden `csrfmiddlewaretoken` of a page.
fn form_token(page: &str) -> String {
    let at = page
        .find("name=\"csrfmiddlewaretoken\" value=\"")
        .expect("a form with the CSRF token");
    let rest = &page[at + 34..];
    rest[..rest.find('"').unwrap()].to_owned()
}

/// No script or style a strict policy would block: scripts only by `src`, no `style`
/// attributes or elements, no event-handler attributes, nothing from another origin.
fn assert_strict(page: &str) {
    for (at, _) in page.match_indices("<script") {
        let tag = &page[at..at + page[at..].find('>').unwrap()];
        assert!(tag.contains(" src=\"/static/drf/"), "inline script: {tag}");
        assert!(page[at..].starts_with(&format!("{tag}></script>")), "{tag}");
    }
    assert!(!page.contains("<style"), "a style element");
    assert!(!page.contains(" style="), "a style attribute");
    let lower = page.to_ascii_lowercase();
    for handler in [
        " onclick=",
        " onload=",
        " onerror=",
        " onsubmit=",
        "javascript:",
    ] {
        assert!(!lower.contains(handler), "{handler}");
    }
    assert!(!page.contains("src=\"http"), "a script from elsewhere");
    assert!(!page.contains("href=\"//"), "a stylesheet from elsewhere");
}

/// The page holds `needle` (the page is printed when it does not).
#[track_caller]
fn has(page: &str, needle: &str) {
    assert!(page.contains(needle), "{needle:?} not in:\n{page}");
}

fn assert_page(r: &TestResponse) {
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(
        r.header("content-security-policy"),
        Some(CONTENT_SECURITY_POLICY)
    );
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert_strict(text(r));
}

#[tokio::test]
async fn negotiation_picks_the_page_for_a_browser_and_json_otherwise() {
    let c = client().await;
    let r = c.get("/notes/").header("accept", BROWSER).send().await;
    assert_eq!(r.status, 401);
    assert_page(&r);
    let page = text(&r);
    has(page, "<b>HTTP 401 Unauthorized</b>");
    has(page, "<b>WWW-Authenticate:</b> Token");
    has(page, "<b>Allow:</b> GET, POST, OPTIONS");
    has(page, "<b>Content-Type:</b> application/json");
    has(page, "<b>Vary:</b> Accept");
    has(
        page,
        "&quot;detail&quot;: &quot;Authentication credentials were not provided.&quot;",
    );
    has(page, "<b>GET</b> /notes/");
    has(page, "List your notes, or create one.");
    has(page, "href=\"/api-auth/login/?next=%2Fnotes%2F\"");
    has(page, "<h1 id=\"view-name\">Note List</h1>");
    // Anonymous callers may not POST here: no form.
    assert!(!page.contains("post-panel"), "{page}");
    assert_eq!(r.header("www-authenticate"), Some("Token"));
    // The page's forms carry the CSRF token, whose cookie the answer sets.
    assert_eq!(r.header("vary"), Some("Accept, Cookie"));

    let r = c.get("/notes/").send().await;
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header("vary"), Some("Accept, Cookie"));
    let r = c
        .get("/notes/?format=json")
        .header("accept", BROWSER)
        .send()
        .await;
    assert_eq!(r.header("content-type"), Some("application/json"));
    let r = c.get("/notes/?format=api").send().await;
    assert_page(&r);
    // An unknown format is DRF's 404, rendered by the first renderer.
    let r = c
        .get("/notes/?format=xml")
        .header("accept", BROWSER)
        .send()
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json(), json!({"detail": "Not found."}));
    let r = c
        .get("/notes/")
        .header("accept", "application/xml")
        .send()
        .await;
    assert_eq!(r.status, 406);
    assert_eq!(r.header("content-type"), Some("application/json"));

    // obtain_auth_token renders JSON only, as DRF's ObtainAuthToken.
    let r = c
        .post("/api-token-auth/")
        .header("accept", BROWSER)
        .form(&[("username", "alice"), ("password", "alice-pass")])
        .send()
        .await;
    let token = r.json()["token"].as_str().unwrap().to_owned();
    let r = c
        .options("/notes/")
        .header("authorization", &format!("Token {token}"))
        .send()
        .await;
    assert_eq!(
        r.json()["renders"],
        json!(["application/json", "text/html"])
    );
    let r = c.options("/api-token-auth/").send().await;
    assert_eq!(r.json()["renders"], json!(["application/json"]));
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert!(!r.header("vary").unwrap_or("").contains("Accept"));
}

#[tokio::test]
async fn the_static_files_come_from_the_binary() {
    let c = client().await;
    let r = c.get("/static/drf/browsable.css").send().await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/css; charset=utf-8"));
    let r = c.get("/static/drf/browsable.js").send().await;
    assert_eq!(
        r.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert!(text(&r).contains("X-CSRFToken"));
    assert_eq!(c.get("/static/drf/nothing.js").send().await.status, 404);
    assert_eq!(c.post("/static/drf/browsable.js").send().await.status, 404);
}

#[tokio::test]
async fn a_browser_logs_in_posts_a_note_and_logs_out() {
    let c = client().await;
    let mut jar = Vec::new();

    let r = c
        .get("/api-auth/login/?next=/notes/")
        .header("accept", BROWSER)
        .send()
        .await;
    assert_eq!(r.status, 200);
    assert_page(&r);
    cookies(&r, &mut jar);
    assert!(jar.iter().any(|(k, _)| k == "csrftoken"), "{jar:?}");
    let token = form_token(text(&r));
    assert!(text(&r).contains("name=\"next\" value=\"/notes/\""));

    // Without the token: Django's CSRF refusal, as a page.
    let r = c
        .post("/api-auth/login/")
        .header("accept", BROWSER)
        .header("cookie", &cookie_header(&jar))
        .form(&[("username", "alice"), ("password", "alice-pass")])
        .send()
        .await;
    assert_eq!(r.status, 403);
    assert!(text(&r).contains("CSRF token missing."), "{}", text(&r));

    let login = |password: &'static str, next: &'static str| {
        c.post("/api-auth/login/")
            .header("accept", BROWSER)
            .header("cookie", &cookie_header(&jar))
            .form(&[
                ("csrfmiddlewaretoken", &token),
                ("username", "alice"),
                ("password", password),
                ("next", next),
            ])
    };
    let r = login("wrong", "/notes/").send().await;
    assert_eq!(r.status, 200);
    assert!(
        text(&r).contains("Please enter a correct username and password."),
        "{}",
        text(&r)
    );
    // `next` goes to local paths only.
    let r = login("alice-pass", "//evil.example/").send().await;
    assert_eq!(r.status, 302);
    assert_eq!(r.header("location"), Some("/"));
    let r = login("alice-pass", "/notes/").send().await;
    assert_eq!(r.status, 302);
    assert_eq!(r.header("location"), Some("/notes/"));
    cookies(&r, &mut jar);
    assert!(jar.iter().any(|(k, _)| k == "sessionid"), "{jar:?}");

    let r = browse(&c, "/notes/", &jar).await;
    assert_eq!(r.status, 200);
    assert_page(&r);
    assert_eq!(r.header("vary"), Some("Accept, Cookie"));
    let page = text(&r);
    has(page, "id=\"logged-in-user\">alice<");
    has(page, "id=\"post-html-form\"");
    has(
        page,
        "name=\"title\" id=\"post-title\" value=\"\" maxlength=\"200\" required",
    );
    has(page, "<textarea name=\"body\" id=\"post-body\"");
    has(page, "id=\"post-raw-form\" data-method=\"POST\"");
    has(page, "<option value=\"application/json\">");
    has(page, "&quot;title&quot;: &quot;&quot;");
    cookies(&r, &mut jar);
    let token = form_token(page);

    // The HTML form, as the browser sends it.
    let post = |title: &'static str| {
        c.post("/notes/")
            .header("accept", BROWSER)
            .header("cookie", &cookie_header(&jar))
            .form(&[
                ("csrfmiddlewaretoken", &token),
                ("title", title),
                ("body", "from the form"),
            ])
    };
    let r = post("first").send().await;
    assert_eq!(r.status, 201);
    assert_page(&r);
    assert!(text(&r).contains("<b>HTTP 201 Created</b>"), "{}", text(&r));
    assert!(text(&r).contains("&quot;title&quot;: &quot;first&quot;"));
    // A refused form comes back with what was sent and the field's error.
    let r = post(" ").send().await;
    assert_eq!(r.status, 400);
    let page = text(&r);
    has(page, "This field may not be blank.");
    has(page, "from the form</textarea>");
    // The raw form's JSON, as the script sends it.
    let r = c
        .post("/notes/")
        .header("accept", "text/html")
        .header("cookie", &cookie_header(&jar))
        .header("x-csrftoken", &token)
        .json(&json!({"title": "second", "body": "raw"}))
        .send()
        .await;
    assert_eq!(r.status, 201);
    let r = c
        .get("/notes/?format=json")
        .header("cookie", &cookie_header(&jar))
        .send()
        .await;
    let titles: Vec<Value> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].clone())
        .collect();
    assert_eq!(titles, [json!("first"), json!("second")]);

    // The detail page offers PUT and DELETE to the owner.
    let r = browse(&c, "/notes/1/", &jar).await;
    let page = text(&r);
    has(page, "id=\"put-html-form\" data-method=\"PUT\"");
    has(page, "id=\"delete-button\"");
    has(page, "<a href=\"/notes/\">Note List</a>");
    has(page, "<span class=\"active\">Note Detail</span>");

    // Log out: a POST with the token, back to `next`.
    let r = c
        .post("/api-auth/logout/?next=/notes/")
        .header("accept", BROWSER)
        .header("cookie", &cookie_header(&jar))
        .form(&[("csrfmiddlewaretoken", &token)])
        .send()
        .await;
    assert_eq!(r.status, 302);
    assert_eq!(r.header("location"), Some("/notes/"));
    cookies(&r, &mut jar);
    let r = browse(&c, "/notes/", &jar).await;
    assert_eq!(r.status, 401);
    assert!(text(&r).contains("id=\"login\""));
    // GET does not log out (Django 5's LogoutView).
    assert_eq!(c.get("/api-auth/logout/").send().await.status, 405);
}

/// A view whose answer carries hostile text in its body and a header.
#[api_view(GET, POST)]
#[permission_classes(IsAuthenticatedOrReadOnly)]
#[renderer_classes(BrowsableAPIRenderer, JSONRenderer)]
/// Echoes <b>the name</b> & the query.
async fn echo(request: Request, Path(name): Path<String>) -> Result<Response, ApiError> {
    let mut r = Json(json!({"name": name, "q": request.uri().query()})).try_into_response()?;
    r.headers_mut().insert(
        "x-echo",
        HeaderValue::from_static("<script>alert('h')</script>"),
    );
    Ok(r)
}

#[api_view(GET)]
#[permission_classes(AllowAny)]
/// Fails.
async fn boom() -> Result<StatusCode, ApiError> {
    Err(ApiError::Internal("the database went away".into()))
}

#[tokio::test]
async fn a_server_error_is_a_page_too() {
    let app = test_app().await;
    notes::create_table(&app).await.unwrap();
    let c = APIClient::new(views::router().route("/boom/", boom), app);
    let r = c.get("/boom/").header("accept", BROWSER).send().await;
    assert_eq!(r.status, 500);
    assert_page(&r);
    assert!(
        text(&r).contains("<b>HTTP 500 Internal Server Error</b>"),
        "{}",
        text(&r)
    );
    assert!(text(&r).contains("&quot;detail&quot;: &quot;A server error occurred.&quot;"));
    let r = c.get("/boom/").send().await;
    assert_eq!(r.json(), json!({"detail": "A server error occurred."}));
}

#[tokio::test]
async fn every_value_on_the_page_is_escaped() {
    let app = test_app().await;
    notes::create_table(&app).await.unwrap();
    let evil = "<script>alert('u')</script>";
    create_user(&app, evil, "pw").await;
    let router = views::router().route("/echo/<str:name>/", echo);
    let c = APIClient::new(router, app);

    let r = c
        .get("/echo/%3Cscript%3Ealert('p')/?q=<script>alert('q')</script>")
        .send()
        .await;
    // The view lists the browsable renderer first: it answers `*/*`.
    assert_page(&r);
    let page = text(&r);
    assert!(!page.contains("<script>alert"), "{page}");
    has(page, "&lt;script&gt;alert(&#x27;h&#x27;)&lt;/script&gt;");
    has(page, "&lt;script&gt;alert(&#x27;p&#x27;)");
    // The query reaches the page percent-encoded, as the client sent it.
    has(page, "?q=%3Cscript%3Ealert(&#x27;q&#x27;)");
    has(page, "Echoes &lt;b&gt;the name&lt;/b&gt; &amp; the query.");

    // A username, in the page's account bar and its body.
    let token = c
        .post("/api-token-auth/")
        .form(&[("username", evil), ("password", "pw")])
        .send()
        .await
        .json()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = c
        .get("/me/?format=api")
        .header("authorization", &format!("Token {token}"))
        .send()
        .await;
    assert_eq!(r.status, 200);
    let page = text(&r);
    assert!(!page.contains("<script>alert"), "{page}");
    has(
        page,
        "id=\"logged-in-user\">&lt;script&gt;alert(&#x27;u&#x27;)",
    );
    // IsAuthenticatedOrReadOnly: the token's user gets the POST form, anonymous callers not.
    let r = c
        .get("/echo/x/")
        .header("authorization", &format!("Token {token}"))
        .send()
        .await;
    assert!(text(&r).contains("post-panel"), "{}", text(&r));
    let r = c.get("/echo/x/").send().await;
    assert!(!text(&r).contains("post-panel"));
}
