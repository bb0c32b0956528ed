//! Reading variables: [`Env`], the lookup every configuration slice reads through, and
//! [`ConfigError`], what a value that does not parse becomes.

use std::fmt::Display;
use std::str::FromStr;

/// A setting read at start-up that cannot be used. Its text names the variable and says what
/// is wrong, so start-up can fail with it as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A variable's value does not parse.
    #[error("{variable}={value:?}: {reason}")]
    Invalid {
        /// The variable.
        variable: String,
        /// Its value, as read.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A value that parses but is not allowed, or variables that contradict each other.
    #[error("{message}")]
    Rejected {
        /// The variable at fault (the first, when several conflict).
        variable: String,
        /// The whole explanation, naming the variable.
        message: String,
    },
}

impl ConfigError {
    /// `variable=value: reason`.
    pub(crate) fn invalid(variable: &str, value: &str, reason: impl Display) -> Self {
        Self::Invalid {
            variable: variable.to_owned(),
            value: value.to_owned(),
            reason: reason.to_string(),
        }
    }

    /// A rule the value breaks; `message` names the variable.
    pub(crate) fn rejected(variable: &str, message: impl Into<String>) -> Self {
        Self::Rejected {
            variable: variable.to_owned(),
            message: message.into(),
        }
    }

    /// The variable at fault.
    pub fn variable(&self) -> &str {
        match self {
            Self::Invalid { variable, .. } | Self::Rejected { variable, .. } => variable,
        }
    }
}

/// The variables of one start-up: the process environment, or a lookup a test supplies.
#[derive(Clone, Copy)]
pub struct Env<'a> {
    get: &'a dyn Fn(&str) -> Option<String>,
}

impl std::fmt::Debug for Env<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Env").finish_non_exhaustive()
    }
}

impl<'a> Env<'a> {
    /// Variables read through `get`.
    pub fn new(get: &'a dyn Fn(&str) -> Option<String>) -> Self {
        Self { get }
    }

    /// The value as set (possibly empty).
    pub fn raw(&self, name: &str) -> Option<String> {
        (self.get)(name)
    }

    /// The value, unless unset or empty.
    pub fn nonempty(&self, name: &str) -> Option<String> {
        self.raw(name).filter(|v| !v.is_empty())
    }

    /// The value trimmed, unless unset or blank.
    pub fn trimmed(&self, name: &str) -> Option<String> {
        self.raw(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    /// The value parsed (after trimming); an error names the variable.
    pub fn parse<T: FromStr>(&self, name: &str) -> Result<Option<T>, ConfigError>
    where
        T::Err: Display,
    {
        self.raw(name)
            .map(|v| {
                v.trim()
                    .parse::<T>()
                    .map_err(|e| ConfigError::invalid(name, &v, e))
            })
            .transpose()
    }

    /// A boolean: `1`, `true`, `yes`, `on` or `0`, `false`, `no`, `off`, empty (any case).
    pub fn bool(&self, name: &str) -> Result<Option<bool>, ConfigError> {
        self.raw(name)
            .map(|v| match v.trim().to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" | "on" => Ok(true),
                "0" | "false" | "no" | "off" | "" => Ok(false),
                _ => Err(ConfigError::invalid(name, &v, "expected true or false")),
            })
            .transpose()
    }

    /// A comma-separated list, items trimmed, empty items dropped.
    pub fn list(&self, name: &str) -> Option<Vec<String>> {
        self.raw(name).map(|v| split_list(&v))
    }
}

/// `a, b,` → `["a", "b"]`.
pub(crate) fn split_list(v: &str) -> Vec<String> {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}
