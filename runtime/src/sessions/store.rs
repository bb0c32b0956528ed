//! [`SessionStore`]: Django's database `SessionStore`, one per request, loaded on first use.

use std::collections::HashMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value};
use tokio::sync::{Mutex, MutexGuard};

use super::cookies::{cookie_header, parse_cookie};
use super::csrf::CsrfState;
use crate::app::App;
use crate::db::{DbError, now, parse_django_datetime};
use crate::error::ApiError;
use crate::hashers::random_string;
use crate::request::Request;
use crate::signing::{SignatureError, Signer, TimestampSigner};

/// Django's `VALID_KEY_CHARS`: session keys are 32 of `a-z0-9`.
pub const VALID_KEY_CHARS: &str = "abcdefghijklmnopqrstuvwxyz0123456789";
/// The salt of `session_data` (`"django.contrib.sessions." + SessionStore.__qualname__`).
pub const SESSION_SALT: &str = "django.contrib.sessions.SessionStore";
/// The session key holding a custom expiry (`set_expiry`).
pub const EXPIRY_KEY: &str = "_session_expiry";
/// The longest key a `django_session` row can have (`varchar(40)`).
const MAX_KEY_LEN: usize = 40;
/// How many fresh keys `create()` draws before giving up (Django loops forever; a collision of
/// 32 random characters does not happen, so reaching this means the database misbehaves).
const CREATE_ATTEMPTS: usize = 16;

/// The session state of one request: the parsed cookies, the session, the CSRF secret.
#[derive(Default)]
pub struct SessionState {
    cookies: OnceLock<HashMap<String, String>>,
    touched: AtomicBool,
    /// Read while answering: the response varies on `Cookie`.
    pub(super) accessed: AtomicBool,
    pub(super) store: Mutex<StoreState>,
    pub(super) csrf: std::sync::Mutex<CsrfState>,
}

impl std::fmt::Debug for SessionState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionState")
            .field("touched", &self.touched.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl SessionState {
    /// A cookie of the request, as Django's `request.COOKIES` holds it.
    pub(crate) fn cookie<'a>(&'a self, req: &Request, name: &str) -> Option<&'a str> {
        self.cookies
            .get_or_init(|| {
                cookie_header(req.headers())
                    .map(|h| parse_cookie(&h))
                    .unwrap_or_default()
            })
            .get(name)
            .map(String::as_str)
    }

    pub(super) fn touch(&self) {
        self.touched.store(true, Ordering::Relaxed);
    }

    pub(super) fn is_touched(&self) -> bool {
        self.touched.load(Ordering::Relaxed)
    }
}

/// What Django's `SessionBase` keeps: the key, the loaded dictionary, the flags.
#[derive(Debug, Default)]
pub(super) struct StoreState {
    /// The key was read from the cookie.
    started: bool,
    /// `_session_key`: `None` when the cookie was absent or too short, or the row was missing.
    pub(super) key: Option<String>,
    /// `_session_cache`: `None` until loaded.
    pub(super) cache: Option<Map<String, Value>>,
    pub(super) accessed: bool,
    pub(super) modified: bool,
}

/// Why saving failed.
#[derive(Debug)]
pub(super) enum SaveError {
    /// The row was deleted by another request (Django's `UpdateError`, `SessionInterrupted`).
    Interrupted,
    /// The database failed.
    Db(DbError),
}

impl From<DbError> for SaveError {
    fn from(e: DbError) -> Self {
        Self::Db(e)
    }
}

impl From<SaveError> for ApiError {
    fn from(e: SaveError) -> Self {
        match e {
            SaveError::Db(e) => e.into(),
            SaveError::Interrupted => ApiError::Custom {
                status: http::StatusCode::BAD_REQUEST,
                detail: SESSION_INTERRUPTED.into(),
            },
        }
    }
}

/// Django's `SessionInterrupted` message.
pub(super) const SESSION_INTERRUPTED: &str = "The request's session was deleted before the \
     request completed. The user may have logged out in a concurrent request, for example.";

/// Django's `_validate_session_key`: a key must have at least 8 characters.
pub(super) fn valid_key(key: &str) -> bool {
    key.chars().count() >= 8
}

/// Python's truthiness of a JSON value.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// The expiry a `_session_expiry` value gives: a number of seconds, or a date.
enum Expiry {
    Seconds(f64),
    At(DateTime<Utc>),
    Default,
}

fn expiry_of(data: &Map<String, Value>) -> Expiry {
    match data.get(EXPIRY_KEY) {
        Some(Value::String(s)) => match parse_django_datetime(s) {
            Some(at) => Expiry::At(at.and_utc()),
            None => {
                tracing::warn!(value = %s, "unparseable _session_expiry; using SESSION_COOKIE_AGE");
                Expiry::Default
            }
        },
        Some(v) if truthy(v) => match v {
            Value::Number(n) => Expiry::Seconds(n.as_f64().unwrap_or(0.0)),
            Value::Bool(true) => Expiry::Seconds(1.0),
            _ => Expiry::Default,
        },
        _ => Expiry::Default,
    }
}

/// Django's `get_expiry_age()`: seconds from `now` until the session expires.
pub(super) fn expiry_age(data: &Map<String, Value>, now: DateTime<Utc>, cookie_age: i64) -> i64 {
    match expiry_of(data) {
        Expiry::Default => cookie_age,
        // int(max_age), as set_cookie does.
        Expiry::Seconds(s) => s.clamp(i64::MIN as f64, i64::MAX as f64) as i64,
        // delta.days * 86400 + delta.seconds: whole seconds, rounded down.
        Expiry::At(at) => {
            let d = at - now;
            d.num_seconds() - i64::from(d.subsec_nanos() < 0)
        }
    }
}

/// Django's `get_expiry_date()`.
pub(super) fn expiry_date(
    data: &Map<String, Value>,
    now: DateTime<Utc>,
    cookie_age: i64,
) -> DateTime<Utc> {
    let secs = match expiry_of(data) {
        Expiry::At(at) => return at,
        Expiry::Seconds(s) => s,
        Expiry::Default => cookie_age as f64,
    };
    let micros = (secs * 1e6).clamp(-1e17, 1e17) as i64;
    now.checked_add_signed(Duration::microseconds(micros))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Django's `get_expire_at_browser_close()`.
pub(super) fn expire_at_browser_close(data: &Map<String, Value>, setting: bool) -> bool {
    match data.get(EXPIRY_KEY) {
        None | Some(Value::Null) => setting,
        Some(Value::Number(n)) => n.as_f64() == Some(0.0),
        Some(Value::Bool(b)) => !b,
        Some(_) => false,
    }
}

fn encode(app: &App, data: &Map<String, Value>) -> String {
    TimestampSigner::new(Signer::new(app.config().secret_key.clone(), SESSION_SALT))
        .sign_object(&Value::Object(data.clone()), true)
}

/// Django's `SessionBase.decode`: a bad signature is logged and gives an empty session, as do
/// payloads that do not decode.
pub(super) fn decode(app: &App, session_data: &str) -> Map<String, Value> {
    let cfg = app.config();
    let signer = TimestampSigner::new(
        Signer::new(cfg.secret_key.clone(), SESSION_SALT)
            .with_fallbacks(cfg.secret_key_fallbacks.clone()),
    );
    match signer.unsign_object(session_data, None) {
        Ok(Value::Object(m)) => m,
        Ok(_) => Map::new(),
        Err(SignatureError::BadSignature(_)) => {
            tracing::warn!(target: "django.security.SuspiciousSession", "Session data corrupted");
            Map::new()
        }
        Err(e) => {
            tracing::debug!(error = %e, "undecodable session data");
            Map::new()
        }
    }
}

impl StoreState {
    fn start(&mut self, state: &SessionState, req: &Request) {
        if !self.started {
            self.started = true;
            let name = &req.app().config().session.cookie_name;
            self.key = state
                .cookie(req, name)
                .filter(|k| valid_key(k))
                .map(str::to_owned);
        }
    }

    /// `_get_session()`: loads the row on first use.
    pub(super) async fn load(&mut self, app: &App) -> Result<&mut Map<String, Value>, DbError> {
        self.accessed = true;
        if self.cache.is_none() {
            let data = match &self.key {
                None => Map::new(),
                Some(key) => {
                    let row = if key.len() > MAX_KEY_LEN || key.contains('\0') {
                        // No row can have this key (varchar(40); PostgreSQL refuses NUL).
                        None
                    } else {
                        app.db().session_data(key, now()).await?
                    };
                    match row {
                        Some(data) => decode(app, &data),
                        None => {
                            self.key = None;
                            Map::new()
                        }
                    }
                }
            };
            self.cache = Some(data);
        }
        Ok(self.cache.get_or_insert_with(Map::new))
    }

    fn cache_or_empty(&mut self) -> &mut Map<String, Value> {
        self.accessed = true;
        self.cache.get_or_insert_with(Map::new)
    }

    /// `is_empty()`: no key, and nothing loaded or an empty dictionary.
    pub(super) fn is_empty(&self) -> bool {
        self.key.is_none() && self.cache.as_ref().is_none_or(Map::is_empty)
    }

    async fn new_key(app: &App) -> Result<String, DbError> {
        loop {
            let key = random_string(32, VALID_KEY_CHARS);
            if !app.db().session_exists(&key).await? {
                return Ok(key);
            }
        }
    }

    /// `create()`: a new unused key, saved at once with the current data.
    pub(super) async fn create(&mut self, app: &App) -> Result<(), DbError> {
        let cfg = app.config();
        for _ in 0..CREATE_ATTEMPTS {
            let key = Self::new_key(app).await?;
            let data = self.cache_or_empty().clone();
            let expire = expiry_date(&data, now(), cfg.session.cookie_age);
            if app
                .db()
                .session_insert(&key, &encode(app, &data), expire)
                .await?
            {
                self.key = Some(key);
                self.modified = true;
                return Ok(());
            }
        }
        Err(DbError::Other(
            "could not create a session with a unique key".to_owned(),
        ))
    }

    /// `save()`: rewrites the row (creating the session when it has no key).
    pub(super) async fn save(&mut self, app: &App) -> Result<(), SaveError> {
        let Some(key) = self.key.clone() else {
            return Ok(self.create(app).await?);
        };
        let data = self.load(app).await?.clone();
        let expire = expiry_date(&data, now(), app.config().session.cookie_age);
        if app
            .db()
            .session_update(&key, &encode(app, &data), expire)
            .await?
        {
            Ok(())
        } else {
            Err(SaveError::Interrupted)
        }
    }

    /// `flush()`: empties the session, deletes its row, forgets the key.
    pub(super) async fn flush(&mut self, app: &App) -> Result<(), DbError> {
        self.cache = Some(Map::new());
        self.accessed = true;
        self.modified = true;
        if let Some(key) = self.key.take() {
            app.db().session_delete(&key).await?;
        }
        Ok(())
    }

    /// `cycle_key()`: the same data under a new key; the old row is deleted.
    pub(super) async fn cycle_key(&mut self, app: &App) -> Result<(), DbError> {
        let data = self.load(app).await?.clone();
        let old = self.key.clone();
        self.create(app).await?;
        self.cache = Some(data);
        if let Some(old) = old {
            app.db().session_delete(&old).await?;
        }
        Ok(())
    }
}

/// How long a session lives, for [`SessionStore::set_expiry`] (Django's `set_expiry` value).
#[derive(Debug, Clone, PartialEq)]
pub enum SessionExpiry {
    /// Back to `SESSION_COOKIE_AGE` (`set_expiry(None)`).
    Default,
    /// Expires when the browser closes (`set_expiry(0)`; the row still expires after
    /// `SESSION_COOKIE_AGE`).
    BrowserClose,
    /// Expires this many seconds after the last save (`set_expiry(int)`).
    Seconds(i64),
    /// Expires at this moment (`set_expiry(datetime)`, stored as an ISO string).
    At(DateTime<Utc>),
}

/// The request's session: Django's `request.session` on the database backend.
///
/// Loaded on first use (one query, none without a session cookie), saved when the response
/// leaves if it was modified, with the `sessionid` cookie set then (or deleted, when the
/// request carried one and the session ended up empty). Every method that reads the data may
/// query the database, hence `async` and `Result`.
///
/// ```
/// # async fn doc(request: &drf::Request) -> Result<(), drf::ApiError> {
/// let session = request.session();
/// let visits = session.get("visits").await?.and_then(|v| v.as_i64()).unwrap_or(0);
/// session.insert("visits", visits + 1).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Copy)]
pub struct SessionStore<'a> {
    req: &'a Request,
}

impl std::fmt::Debug for SessionStore<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionStore").finish_non_exhaustive()
    }
}

impl<'a> SessionStore<'a> {
    /// The session of `req`.
    pub fn new(req: &'a Request) -> Self {
        Self { req }
    }

    pub(super) async fn lock(&self) -> MutexGuard<'a, StoreState> {
        let state = super::state(self.req);
        state.touch();
        let mut guard = state.store.lock().await;
        guard.start(state, self.req);
        guard
    }

    fn app(&self) -> &'a App {
        self.req.app()
    }

    /// The session key (from the cookie, or a new one after login), without loading anything.
    pub async fn session_key(&self) -> Option<String> {
        self.lock().await.key.clone()
    }

    /// A value of the session.
    pub async fn get(&self, key: &str) -> Result<Option<Value>, ApiError> {
        let mut st = self.lock().await;
        Ok(st.load(self.app()).await?.get(key).cloned())
    }

    /// True when the session holds `key`.
    pub async fn contains_key(&self, key: &str) -> Result<bool, ApiError> {
        let mut st = self.lock().await;
        Ok(st.load(self.app()).await?.contains_key(key))
    }

    /// Sets a value (the session is saved when the response leaves).
    pub async fn insert(&self, key: &str, value: impl Into<Value>) -> Result<(), ApiError> {
        let mut st = self.lock().await;
        st.load(self.app())
            .await?
            .insert(key.to_owned(), value.into());
        st.modified = true;
        Ok(())
    }

    /// Removes a value, returning it (`pop`).
    pub async fn remove(&self, key: &str) -> Result<Option<Value>, ApiError> {
        let mut st = self.lock().await;
        let old = st.load(self.app()).await?.shift_remove(key);
        st.modified |= old.is_some();
        Ok(old)
    }

    /// A copy of the whole dictionary.
    pub async fn items(&self) -> Result<Map<String, Value>, ApiError> {
        let mut st = self.lock().await;
        Ok(st.load(self.app()).await?.clone())
    }

    /// Empties the session, keeping its key (`clear()`).
    pub async fn clear(&self) {
        let mut st = self.lock().await;
        st.cache = Some(Map::new());
        st.accessed = true;
        st.modified = true;
    }

    /// Empties the session and deletes its row; the next save creates a new key (`flush()`,
    /// what `logout()` does).
    pub async fn flush(&self) -> Result<(), ApiError> {
        Ok(self.lock().await.flush(self.app()).await?)
    }

    /// Moves the data to a new key and deletes the old row (`cycle_key()`, against session
    /// fixation).
    pub async fn cycle_key(&self) -> Result<(), ApiError> {
        Ok(self.lock().await.cycle_key(self.app()).await?)
    }

    /// Saves now rather than when the response leaves (`save()`).
    pub async fn save(&self) -> Result<(), ApiError> {
        Ok(self.lock().await.save(self.app()).await?)
    }

    /// Django's `set_expiry`.
    pub async fn set_expiry(&self, expiry: SessionExpiry) -> Result<(), ApiError> {
        let mut st = self.lock().await;
        let data = st.load(self.app()).await?;
        let value: Value = match expiry {
            SessionExpiry::Default => {
                if data.shift_remove(EXPIRY_KEY).is_some() {
                    st.modified = true;
                }
                return Ok(());
            }
            SessionExpiry::BrowserClose => 0.into(),
            SessionExpiry::Seconds(s) => s.into(),
            SessionExpiry::At(at) => at.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string().into(),
        };
        data.insert(EXPIRY_KEY.into(), value);
        let changed = true;
        st.modified |= changed;
        Ok(())
    }

    /// Django's `get_expiry_age()`: seconds until the session expires.
    pub async fn get_expiry_age(&self) -> Result<i64, ApiError> {
        let mut st = self.lock().await;
        let age = self.app().config().session.cookie_age;
        Ok(expiry_age(st.load(self.app()).await?, now(), age))
    }

    /// Django's `get_expiry_date()`.
    pub async fn get_expiry_date(&self) -> Result<DateTime<Utc>, ApiError> {
        let mut st = self.lock().await;
        let age = self.app().config().session.cookie_age;
        Ok(expiry_date(st.load(self.app()).await?, now(), age))
    }

    /// Django's `get_expire_at_browser_close()`.
    pub async fn get_expire_at_browser_close(&self) -> Result<bool, ApiError> {
        let mut st = self.lock().await;
        let setting = self.app().config().session.expire_at_browser_close;
        Ok(expire_at_browser_close(st.load(self.app()).await?, setting))
    }

    /// Django's `is_empty()`: no key and no data.
    pub async fn is_empty(&self) -> bool {
        self.lock().await.is_empty()
    }

    /// True once something changed the session (it will be saved).
    pub async fn is_modified(&self) -> bool {
        self.lock().await.modified
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn expiry_rules() {
        let t = DateTime::parse_from_rfc3339("2030-01-01T00:00:00.5Z")
            .unwrap()
            .with_timezone(&Utc);
        let age = 1_209_600;
        assert_eq!(expiry_age(&map(json!({})), t, age), age);
        assert_eq!(expiry_age(&map(json!({"_session_expiry": 0})), t, age), age);
        assert_eq!(expiry_age(&map(json!({"_session_expiry": 60})), t, age), 60);
        assert_eq!(expiry_age(&map(json!({"_session_expiry": 1.9})), t, age), 1);
        assert_eq!(
            expiry_age(
                &map(json!({"_session_expiry": "2030-01-01T00:01:00+00:00"})),
                t,
                age
            ),
            59
        );
        assert_eq!(
            expiry_age(
                &map(json!({"_session_expiry": "2029-12-31T23:59:59+00:00"})),
                t,
                age
            ),
            -2
        );
        assert_eq!(
            expiry_date(&map(json!({"_session_expiry": 60})), t, age),
            t + Duration::seconds(60)
        );
        assert_eq!(
            expiry_date(&map(json!({})), t, age),
            t + Duration::seconds(age)
        );
        assert_eq!(
            expiry_date(
                &map(json!({"_session_expiry": "2030-02-01T00:00:00"})),
                t,
                age
            ),
            DateTime::parse_from_rfc3339("2030-02-01T00:00:00Z").unwrap()
        );
        assert!(expire_at_browser_close(
            &map(json!({"_session_expiry": 0})),
            false
        ));
        assert!(!expire_at_browser_close(
            &map(json!({"_session_expiry": 5})),
            true
        ));
        assert!(expire_at_browser_close(&map(json!({})), true));
        assert!(!expire_at_browser_close(&map(json!({})), false));
    }

    #[test]
    fn keys_shorter_than_8_are_no_session() {
        assert!(!valid_key(""));
        assert!(!valid_key("1234567"));
        assert!(valid_key("12345678"));
    }
}
