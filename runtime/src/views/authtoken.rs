//! DRF's `obtain_auth_token`: username and password in, `{"token": key}` out.

use http::Method;
use serde_json::{Map, Value, json};

use crate::authentication::authenticate_credentials;
use crate::error::ApiError;
use crate::parsers::RENDERS;
use crate::request::Request;
use crate::response::{IntoResponse, Json, Response};
use crate::view::{Explicit, FromSettings, View};

/// The view type of [`obtain_auth_token`]; route it with `.route("/api-token-auth/", obtain_auth_token)`.
///
/// POST only; JSON, form and multipart bodies; the settings' default authentication classes
/// and no permissions, as DRF's `ObtainAuthToken`. Answers `200 {"token": key}`, creating the
/// token on first use and returning the same key afterwards; field errors are DRF's field maps,
/// bad credentials `{"non_field_errors": ["Unable to log in with provided credentials."]}`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ObtainAuthToken;

/// DRF's `obtain_auth_token` view: `.route("/api-token-auth/", obtain_auth_token)`.
pub const fn obtain_auth_token() -> ObtainAuthToken {
    ObtainAuthToken
}

const PARSES: [&str; 3] = [
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "application/json",
];

/// Python's `type(x).__name__` for a JSON value.
fn python_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// Python's `str()` of a JSON number.
fn python_number_str(n: &serde_json::Number) -> String {
    match n.as_f64() {
        Some(f) if n.is_f64() && f.is_finite() => crate::pycompat::float_repr(f),
        _ => n.to_string(),
    }
}

/// DRF's `CharField` validation. `Err` is the field's error list.
pub(crate) fn char_field(
    data: &Map<String, Value>,
    name: &str,
    trim_whitespace: bool,
) -> Result<String, &'static str> {
    let value = match data.get(name) {
        None => return Err("This field is required."),
        Some(Value::Null) => return Err("This field may not be null."),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => python_number_str(n),
        Some(_) => return Err("Not a valid string."),
    };
    let value = if trim_whitespace {
        value.trim().to_owned()
    } else {
        value
    };
    if value.is_empty() {
        return Err("This field may not be blank.");
    }
    if value.contains('\0') {
        return Err("Null characters are not allowed.");
    }
    Ok(value)
}

impl View for ObtainAuthToken {
    const NAME: &'static str = "Obtain Auth Token";
    const METHODS: &'static [Method] = &[Method::POST];
    const PARSES: &'static [&'static str] = &PARSES;
    type Authentication = FromSettings;
    type Permission = Explicit<()>;
    type Throttle = Explicit<()>;

    async fn handle(req: Request) -> Result<Response, ApiError> {
        let data = match req.data()? {
            Value::Object(m) => m,
            Value::Null => {
                return Err(ApiError::validation(
                    json!({"non_field_errors": ["No data provided"]}),
                ));
            }
            other => {
                let msg = format!(
                    "Invalid data. Expected a dictionary, but got {}.",
                    python_type_name(other)
                );
                return Err(ApiError::validation(json!({"non_field_errors": [msg]})));
            }
        };
        let username = char_field(data, "username", true);
        let password = char_field(data, "password", false);
        let (username, password) = match (username, password) {
            (Ok(u), Ok(p)) => (u, p),
            (u, p) => {
                let mut errors = Map::new();
                if let Err(e) = u {
                    errors.insert("username".into(), json!([e]));
                }
                if let Err(e) = p {
                    errors.insert("password".into(), json!([e]));
                }
                return Err(ApiError::validation(Value::Object(errors)));
            }
        };
        let Some(user) = authenticate_credentials(req.app(), &username, &password).await? else {
            return Err(ApiError::validation(json!({
                "non_field_errors": ["Unable to log in with provided credentials."]
            })));
        };
        let user_id = user
            .id
            .ok_or_else(|| ApiError::Internal("authenticated user without id".into()))?;
        let token = req.app().db().get_or_create_token(user_id).await?;
        Json(json!({"token": token.key})).into_response()
    }

    fn metadata(_req: &Request) -> Value {
        json!({
            "name": Self::NAME,
            "description": Self::DESCRIPTION,
            "renders": RENDERS,
            "parses": PARSES,
            "actions": {
                "POST": {
                    "username": {"type": "string", "required": true, "read_only": false, "label": "Username"},
                    "password": {"type": "string", "required": true, "read_only": false, "label": "Password"},
                    "token": {"type": "string", "required": false, "read_only": true, "label": "Token"},
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_field_rules() {
        let m = json!({"a": " x ", "b": "  ", "c": null, "d": 1, "e": 1.5, "f": true, "g": [], "h": "a\u{0}"});
        let m = m.as_object().unwrap();
        assert_eq!(char_field(m, "a", true), Ok("x".into()));
        assert_eq!(char_field(m, "a", false), Ok(" x ".into()));
        assert_eq!(
            char_field(m, "b", true),
            Err("This field may not be blank.")
        );
        assert_eq!(char_field(m, "b", false), Ok("  ".into()));
        assert_eq!(char_field(m, "c", true), Err("This field may not be null."));
        assert_eq!(char_field(m, "d", true), Ok("1".into()));
        assert_eq!(char_field(m, "e", true), Ok("1.5".into()));
        assert_eq!(char_field(m, "f", true), Err("Not a valid string."));
        assert_eq!(char_field(m, "g", true), Err("Not a valid string."));
        assert_eq!(
            char_field(m, "h", true),
            Err("Null characters are not allowed.")
        );
        assert_eq!(char_field(m, "zz", true), Err("This field is required."));
    }

    #[test]
    fn python_numbers() {
        let n = |s: &str| python_number_str(&serde_json::from_str(s).unwrap());
        assert_eq!(n("1"), "1");
        assert_eq!(n("1.0"), "1.0");
        assert_eq!(n("2.5"), "2.5");
        assert_eq!(n("1e20"), "1e+20");
        assert_eq!(n("1.5e20"), "1.5e+20");
        assert_eq!(n("1e-5"), "1e-05");
        assert_eq!(n("0.0015"), "0.0015");
        assert_eq!(n("-123000.5"), "-123000.5");
        assert_eq!(n("1e15"), "1000000000000000.0");
        assert_eq!(n("1e16"), "1e+16");
    }
}
