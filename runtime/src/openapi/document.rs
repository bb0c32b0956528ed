//! The document's assembly: one path item per route, one operation per method, from the view's
//! declarations under the settings.

use std::collections::HashSet;
use std::sync::Arc;

use http::Method;
use serde_json::{Map, Value, json};

use super::{Anonymous, AnswerDoc, HandlerDoc, Schemas, detail_schema};
use crate::authentication::AuthenticationList;
use crate::config::Config;
use crate::permissions::PermissionList;
use crate::settings::Settings;
use crate::throttling::ThrottleList;
use crate::view::{Perms, Schemes, Throttles, View, allowed_methods};

/// The document's `info`.
#[derive(Debug, Clone)]
pub struct Info {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// `info.description`.
    pub description: String,
}

impl Default for Info {
    fn default() -> Self {
        Self {
            title: "API".to_owned(),
            version: "1.0.0".to_owned(),
            description: String::new(),
        }
    }
}

/// One route as the document needs it.
#[derive(Debug, Clone)]
pub(crate) struct DocEntry {
    /// The pattern, in Django's syntax.
    pub(crate) pattern: Arc<str>,
    /// The path parameters: name and schema, in order.
    pub(crate) params: Vec<(String, Value)>,
    /// Adds the route's operations (`operations::<V, S>`).
    pub(crate) operations: fn(&mut Builder<'_>, &DocEntry),
}

/// A document being built.
#[derive(Debug)]
pub(crate) struct Builder<'a> {
    config: &'a Config,
    schemas: Schemas,
    paths: Map<String, Value>,
    security: Map<String, Value>,
    operation_ids: HashSet<String>,
}

impl<'a> Builder<'a> {
    pub(crate) fn new(config: &'a Config) -> Self {
        Self {
            config,
            schemas: Schemas::default(),
            paths: Map::new(),
            security: Map::new(),
            operation_ids: HashSet::new(),
        }
    }

    /// The document of `entries`, served under `prefix` (`""` at the root).
    pub(crate) fn document(
        config: &Config,
        entries: &[DocEntry],
        info: &Info,
        prefix: &str,
    ) -> Value {
        let mut b = Builder::new(config);
        for entry in entries {
            (entry.operations)(&mut b, entry);
        }
        let mut info_obj = json!({"title": info.title, "version": info.version});
        if !info.description.is_empty() {
            info_obj["description"] = json!(info.description);
        }
        let mut doc = json!({
            "openapi": "3.1.0",
            "info": info_obj,
        });
        if !prefix.is_empty() {
            doc["servers"] = json!([{"url": prefix}]);
        }
        doc["paths"] = Value::Object(b.paths);
        let mut components = Map::new();
        let schemas = b.schemas.into_components();
        if !schemas.is_empty() {
            components.insert("schemas".to_owned(), Value::Object(schemas));
        }
        if !b.security.is_empty() {
            components.insert("securitySchemes".to_owned(), Value::Object(b.security));
        }
        doc["components"] = Value::Object(components);
        doc
    }

    /// A unique `operationId`: `notes_pk_get` for `GET /notes/<int:pk>/`.
    fn operation_id(&mut self, pattern: &str, method: &Method) -> String {
        let mut base = String::new();
        for c in pattern.chars() {
            if c.is_ascii_alphanumeric() {
                base.push(c.to_ascii_lowercase());
            } else if !base.is_empty() && !base.ends_with('_') {
                base.push('_');
            }
        }
        let base = base
            .trim_end_matches('_')
            .split('_')
            // `<int:pk>` reads `int_pk`: the converter's name is not part of the id.
            .filter(|w| !matches!(*w, "int" | "str" | "slug" | "uuid" | "path"))
            .collect::<Vec<_>>()
            .join("_");
        let base = if base.is_empty() {
            method.as_str().to_ascii_lowercase()
        } else {
            format!("{base}_{}", method.as_str().to_ascii_lowercase())
        };
        let mut id = base.clone();
        let mut n = 2;
        while !self.operation_ids.insert(id.clone()) {
            id = format!("{base}_{n}");
            n += 1;
        }
        id
    }
}

/// The OpenAPI path of a Django pattern: `/notes/<int:pk>/` is `/notes/{pk}/`.
fn openapi_path(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else {
            break;
        };
        let spec = &rest[start + 1..start + end];
        let name = spec.split_once(':').map_or(spec, |(_, n)| n);
        out.push('{');
        out.push_str(name);
        out.push('}');
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

/// Methods whose request carries a body a view reads.
fn has_body(method: &Method) -> bool {
    matches!(*method, Method::POST | Method::PUT | Method::PATCH)
}

/// A `{"detail": …}` answer, with headers.
fn error(description: &str, headers: &[(&str, bool)]) -> Value {
    let mut r = json!({
        "description": description,
        "content": {"application/json": {"schema": detail_schema()}},
    });
    add_headers(&mut r, headers);
    r
}

fn add_headers(response: &mut Value, headers: &[(&str, bool)]) {
    if headers.is_empty() {
        return;
    }
    let mut map = Map::new();
    for (name, required) in headers {
        let description = match *name {
            "Allow" => "The methods the view answers.",
            "WWW-Authenticate" => "The view's first scheme's challenge.",
            "Retry-After" => "Seconds to wait before trying again.",
            _ => "",
        };
        let schema = if *name == "Retry-After" {
            json!({"type": "string", "pattern": "^[0-9]+$"})
        } else {
            json!({"type": "string"})
        };
        map.insert(
            (*name).to_owned(),
            json!({"description": description, "required": required, "schema": schema}),
        );
    }
    response["headers"] = Value::Object(map);
}

/// The success answer of one method.
fn success(method: &Method, answer: &AnswerDoc, head: bool) -> (String, Value) {
    if *method == Method::OPTIONS {
        let mut r = json!({
            "description": "The view's metadata (DRF's SimpleMetadata).",
            "content": {"application/json": {"schema": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "description": {"type": "string"},
                    "renders": {"type": "array", "items": {"type": "string"}},
                    "parses": {"type": "array", "items": {"type": "string"}},
                },
                "required": ["name", "description", "renders", "parses"],
            }}},
        });
        add_headers(&mut r, &[("Allow", true)]);
        return ("200".to_owned(), r);
    }
    let status = answer
        .status
        .map_or_else(|| "2XX".to_owned(), |s| s.to_string());
    let mut r = json!({"description": "Success."});
    if !head {
        let schema = answer
            .schema
            .as_ref()
            .map_or_else(|| json!({}), |s| s.as_value().clone());
        r["content"] = json!({"application/json": {"schema": schema}});
    }
    add_headers(&mut r, &[("Allow", true)]);
    (status, r)
}

/// An answer `#[extend_schema(responses(...))]` declares: its schema, else DRF's detail shape
/// for an error (or what the document already says of that status), else any JSON.
fn declared(
    status: u16,
    schema: Option<&super::Schema>,
    head: bool,
    known: &Map<String, Value>,
) -> Value {
    if schema.is_none() {
        if let Some(r) = known.get(&status.to_string()) {
            return r.clone();
        }
    }
    let schema = match schema {
        Some(s) => s.as_value().clone(),
        None if status == 400 => json!({"type": "object"}),
        None if status >= 400 => detail_schema(),
        None => json!({}),
    };
    let description = if status < 400 {
        "Success."
    } else {
        "An error, in DRF's shape."
    };
    let mut r = json!({"description": description});
    if !head && status != 204 {
        r["content"] = json!({"application/json": {"schema": schema}});
    }
    let mut headers = vec![("Allow", true)];
    match status {
        401 => headers.push(("WWW-Authenticate", true)),
        429 => headers.push(("Retry-After", true)),
        503 => headers.push(("Retry-After", false)),
        _ => {}
    }
    add_headers(&mut r, &headers);
    r
}

/// Adds the operations of view `V` under settings `S` at `entry`.
pub(crate) fn operations<V: View, S: Settings>(b: &mut Builder<'_>, entry: &DocEntry) {
    let schemes = <Schemes<V, S> as AuthenticationList>::security_schemes(b.config);
    for s in &schemes {
        b.security
            .entry(s.key.to_string())
            .or_insert_with(|| s.scheme.clone());
    }
    let doc: HandlerDoc = V::openapi(&mut b.schemas);
    let throttled = <Throttles<V, S> as ThrottleList>::LEN > 0;
    // Basic checks a password on every request: the limiter and the hash queue apply.
    let checks_passwords =
        doc.checks_passwords || <Schemes<V, S> as AuthenticationList>::names().contains(&"Basic");
    let path = openapi_path(&entry.pattern);
    let tag = entry
        .pattern
        .trim_matches('/')
        .split('/')
        .next()
        .filter(|s| !s.is_empty() && !s.starts_with('<'))
        .unwrap_or("root")
        .to_owned();
    let parameters: Vec<Value> = entry
        .params
        .iter()
        .map(|(name, schema)| json!({"name": name, "in": "path", "required": true, "schema": schema}))
        .collect();
    let mut item = Map::new();
    for method in allowed_methods(V::METHODS) {
        let Ok(method) = method.parse::<Method>() else {
            continue;
        };
        let anonymous = <Perms<V, S> as PermissionList>::admits_anonymous(&method);
        let mut security: Vec<Value> = schemes
            .iter()
            .map(|s| json!({ s.key.as_ref(): [] }))
            .collect();
        if anonymous != Anonymous::Refused {
            security.push(json!({}));
        }
        let head = method == Method::HEAD;
        let body = doc.body.as_ref().filter(|_| has_body(&method));
        let mut op = json!({
            "operationId": b.operation_id(&entry.pattern, &method),
            "summary": V::NAME,
            "tags": [tag],
            "security": security,
        });
        if !V::DESCRIPTION.is_empty() {
            op["description"] = json!(V::DESCRIPTION);
        }
        if !parameters.is_empty() {
            op["parameters"] = json!(parameters);
        }
        if let Some(body) = body {
            let schema = body
                .schema
                .as_ref()
                .map_or_else(|| json!({}), |s| s.as_value().clone());
            let content: Map<String, Value> = V::PARSES
                .iter()
                .map(|media| ((*media).to_owned(), json!({"schema": schema})))
                .collect();
            op["requestBody"] = json!({"required": body.required, "content": content});
        }
        let mut responses = Map::new();
        let declared_success = doc.responses.iter().any(|(s, _)| (200..300).contains(s));
        if !declared_success || method == Method::OPTIONS {
            // (A listed OPTIONS keeps the metadata answer beside the declared ones.)
            let (status, ok) = success(&method, &doc.answer, head);
            responses.insert(status, ok);
        }
        let allow = ("Allow", true);
        if body.is_some() {
            let mut r = json!({
                "description": "The body did not parse, or did not validate: DRF's `{\"field\": [\"message\"]}` or `{\"detail\": …}`.",
                "content": {"application/json": {"schema": {"type": "object"}}},
            });
            add_headers(&mut r, &[allow]);
            responses.insert("400".to_owned(), r);
        }
        if !schemes.is_empty() {
            responses.insert(
                "401".to_owned(),
                error(
                    "No credentials, or bad ones, under a scheme with a challenge.",
                    &[allow, ("WWW-Authenticate", true)],
                ),
            );
        }
        if !(schemes.is_empty() && anonymous == Anonymous::Admitted) {
            responses.insert(
                "403".to_owned(),
                error(
                    "A permission refused, or the credentials failed under a scheme without a challenge (or CSRF failed).",
                    &[allow],
                ),
            );
        }
        if !entry.params.is_empty() {
            let mut r = error(
                "No such object, or a path parameter that does not fit.",
                &[],
            );
            r["content"]["text/html"] = json!({"schema": {"type": "string"}});
            responses.insert("404".to_owned(), r);
        }
        responses.insert(
            "406".to_owned(),
            error("The `Accept` header cannot be satisfied.", &[allow]),
        );
        if body.is_some() {
            responses.insert(
                "415".to_owned(),
                error("The `Content-Type` is not one the view parses.", &[allow]),
            );
        }
        if throttled || checks_passwords {
            responses.insert(
                "429".to_owned(),
                error(
                    "Throttled, or too many failed logins.",
                    &[allow, ("Retry-After", true)],
                ),
            );
        }
        responses.insert(
            "503".to_owned(),
            error(
                "The handler ran past `HANDLER_TIMEOUT_SECS`, or the password hashers are busy.",
                &[allow, ("Retry-After", false)],
            ),
        );
        // OPTIONS is answered before the handler, unless the view lists it.
        let reaches_handler = method != Method::OPTIONS || V::METHODS.contains(&Method::OPTIONS);
        for (status, schema) in doc.responses.iter().filter(|_| reaches_handler) {
            let r = declared(*status, schema.as_ref(), head, &responses);
            responses.insert(status.to_string(), r);
        }
        op["responses"] = Value::Object(responses);
        item.insert(method.as_str().to_ascii_lowercase(), op);
    }
    b.paths.insert(path, Value::Object(item));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_ids_read_as_openapi() {
        assert_eq!(openapi_path("/notes/<int:pk>/"), "/notes/{pk}/");
        assert_eq!(
            openapi_path("/u/<name>/f/<path:rest>"),
            "/u/{name}/f/{rest}"
        );
        let config = Config::from_lookup::<crate::DefaultSettings>(|_| None).unwrap();
        let mut b = Builder::new(&config);
        assert_eq!(
            b.operation_id("/notes/<int:pk>/", &Method::GET),
            "notes_pk_get"
        );
        assert_eq!(
            b.operation_id("/notes/<int:pk>/", &Method::GET),
            "notes_pk_get_2"
        );
        assert_eq!(b.operation_id("/", &Method::POST), "post");
        assert_eq!(
            b.operation_id("/api-token-auth/", &Method::POST),
            "api_token_auth_post"
        );
    }
}
