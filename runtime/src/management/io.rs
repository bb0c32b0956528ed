//! [`CommandIo`]: the standard streams and environment a management command runs with, real or
//! in memory, and the prompts built on them.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, BufRead, IsTerminal as _, Write};
use std::sync::{Arc, Mutex, PoisonError};

/// How hidden input (passwords) is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hidden {
    /// From the controlling terminal with echo off (`rpassword`), like Python's `getpass`.
    Tty,
    /// One line of standard input; the prompt goes to standard error, as Python's
    /// `getpass` does when it has no terminal.
    Stdin,
}

/// The environment of a command: standard input, output and error, whether standard input is a
/// terminal, and the environment variables it reads (`DATABASE_URL`, `DJANGO_SUPERUSER_*`, ...).
///
/// [`CommandIo::process`] is the real process; [`CommandIo::memory`] makes an in-memory one for
/// tests, whose output is read back through the returned [`Captured`]:
///
/// ```
/// use drf_runtime::management::CommandIo;
///
/// let (io, out) = CommandIo::memory("s3cret-pass\ns3cret-pass\n")
///     .env("DATABASE_URL", "sqlite::memory:")
///     .build();
/// assert_eq!(io.var("DATABASE_URL").as_deref(), Some("sqlite::memory:"));
/// assert!(!io.stdin_is_terminal());
/// assert_eq!(out.stdout(), "");
/// ```
pub struct CommandIo {
    stdin: Box<dyn BufRead + Send>,
    stdout: Box<dyn Write + Send>,
    stderr: Box<dyn Write + Send>,
    stdin_is_terminal: bool,
    hidden: Hidden,
    env: Env,
}

/// Where environment variables come from.
enum Env {
    Process,
    Map(HashMap<String, String>),
}

impl fmt::Debug for CommandIo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CommandIo")
            .field("stdin_is_terminal", &self.stdin_is_terminal)
            .field("hidden_input", &self.hidden)
            .field(
                "env",
                &match self.env {
                    Env::Process => "process",
                    Env::Map(_) => "map",
                },
            )
            .finish_non_exhaustive()
    }
}

impl CommandIo {
    /// The process's own standard streams and environment. Passwords are read from the terminal
    /// with echo off when standard input is a terminal, else as lines of standard input.
    pub fn process() -> Self {
        let stdin_is_terminal = io::stdin().is_terminal();
        Self {
            stdin: Box::new(io::BufReader::new(io::stdin())),
            stdout: Box::new(io::stdout()),
            stderr: Box::new(io::stderr()),
            stdin_is_terminal,
            hidden: if stdin_is_terminal {
                Hidden::Tty
            } else {
                Hidden::Stdin
            },
            env: Env::Process,
        }
    }

    /// In-memory streams: standard input holds `stdin`, output is captured in the returned
    /// [`Captured`], standard input is not a terminal and the environment is empty (add
    /// variables with [`CaptureBuilder::env`]).
    pub fn memory(stdin: impl Into<String>) -> CaptureBuilder {
        let captured = Captured::default();
        let io = Self {
            stdin: Box::new(io::Cursor::new(stdin.into().into_bytes())),
            stdout: Box::new(captured.stdout.clone()),
            stderr: Box::new(captured.stderr.clone()),
            stdin_is_terminal: false,
            hidden: Hidden::Stdin,
            env: Env::Map(HashMap::new()),
        };
        CaptureBuilder { io, captured }
    }

    /// Builds one from any streams, with the process environment. When `stdin_is_terminal`
    /// is true the commands prompt as on a terminal, but passwords are still read as lines of
    /// `stdin` (only [`CommandIo::process`] reads them from the terminal with echo off).
    pub fn new(
        stdin: impl BufRead + Send + 'static,
        stdout: impl Write + Send + 'static,
        stderr: impl Write + Send + 'static,
        stdin_is_terminal: bool,
    ) -> Self {
        Self {
            stdin: Box::new(stdin),
            stdout: Box::new(stdout),
            stderr: Box::new(stderr),
            stdin_is_terminal,
            hidden: Hidden::Stdin,
            env: Env::Process,
        }
    }

    /// Replaces the environment with the given variables (the process environment is no
    /// longer read).
    #[must_use]
    pub fn with_env<K: Into<String>, V: Into<String>>(
        mut self,
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.env = Env::Map(
            vars.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        );
        self
    }

    /// Whether standard input is a terminal (Django's `stdin.isatty()`).
    pub fn stdin_is_terminal(&self) -> bool {
        self.stdin_is_terminal
    }

    /// An environment variable.
    pub fn var(&self, name: &str) -> Option<String> {
        match &self.env {
            Env::Process => std::env::var(name).ok(),
            Env::Map(m) => m.get(name).cloned(),
        }
    }

    /// Writes `text` and a newline to standard output (errors, e.g. a closed pipe, are ignored
    /// as there is nowhere left to report them).
    pub(crate) fn out(&mut self, text: impl fmt::Display) {
        let _ = writeln!(self.stdout, "{text}").and_then(|()| self.stdout.flush());
    }

    /// Writes `text` and a newline to standard error.
    pub(crate) fn err(&mut self, text: impl fmt::Display) {
        let _ = writeln!(self.stderr, "{text}").and_then(|()| self.stderr.flush());
    }

    /// Python's `input(prompt)`: the prompt on standard output, then one line of standard
    /// input without its line ending. `Ok(None)` at end of input.
    ///
    /// The read runs on the blocking pool so the runtime's other tasks (the database pool)
    /// keep running while the user types.
    pub(crate) async fn input(&mut self, prompt: &str) -> io::Result<Option<String>> {
        let _ = write!(self.stdout, "{prompt}").and_then(|()| self.stdout.flush());
        self.read_line().await
    }

    /// Python's `getpass.getpass(prompt)`: hidden on a terminal, else one line of standard
    /// input with the prompt on standard error. `Ok(None)` at end of input (Ctrl-D).
    pub(crate) async fn password(&mut self, prompt: &str) -> io::Result<Option<String>> {
        match self.hidden {
            Hidden::Tty => {
                let prompt = prompt.to_owned();
                let read = tokio::task::spawn_blocking(move || rpassword::prompt_password(prompt))
                    .await
                    .map_err(io::Error::other)?;
                match read {
                    Ok(p) => Ok(Some(p)),
                    Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
                    Err(e) => Err(e),
                }
            }
            Hidden::Stdin => {
                let _ = write!(self.stderr, "{prompt}").and_then(|()| self.stderr.flush());
                self.read_line().await
            }
        }
    }

    /// Reads one line of standard input, without its line ending, on the blocking pool.
    pub(crate) async fn read_line(&mut self) -> io::Result<Option<String>> {
        let mut stdin = std::mem::replace(&mut self.stdin, Box::new(io::empty()));
        let (stdin, read) = tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            let read = stdin.read_line(&mut line).map(|n| (n, line));
            (stdin, read)
        })
        .await
        .map_err(io::Error::other)?;
        self.stdin = stdin;
        let (n, mut line) = read?;
        if n == 0 {
            return Ok(None);
        }
        if line.ends_with('\n') {
            line.pop();
            if line.ends_with('\r') {
                line.pop();
            }
        }
        Ok(Some(line))
    }
}

/// Builder returned by [`CommandIo::memory`]: set variables and the terminal flag, then take
/// the pair with [`CaptureBuilder::build`] (or destructure it: it converts into
/// `(CommandIo, Captured)`).
#[derive(Debug)]
pub struct CaptureBuilder {
    io: CommandIo,
    captured: Captured,
}

impl CaptureBuilder {
    /// Sets an environment variable.
    #[must_use]
    pub fn env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        if let Env::Map(m) = &mut self.io.env {
            m.insert(name.into(), value.into());
        }
        self
    }

    /// Pretends standard input is (or is not) a terminal: `createsuperuser` then prompts.
    /// Passwords are still read as lines of the in-memory standard input.
    #[must_use]
    pub fn terminal(mut self, is_terminal: bool) -> Self {
        self.io.stdin_is_terminal = is_terminal;
        self
    }

    /// The streams and the handle to read what was written to them.
    pub fn build(self) -> (CommandIo, Captured) {
        (self.io, self.captured)
    }
}

impl From<CaptureBuilder> for (CommandIo, Captured) {
    fn from(b: CaptureBuilder) -> Self {
        b.build()
    }
}

/// What a command wrote to the in-memory standard output and error of [`CommandIo::memory`].
#[derive(Debug, Clone, Default)]
pub struct Captured {
    stdout: SharedBuffer,
    stderr: SharedBuffer,
}

impl Captured {
    /// Everything written to standard output so far (lossy UTF-8).
    pub fn stdout(&self) -> String {
        self.stdout.contents()
    }

    /// Everything written to standard error so far (lossy UTF-8).
    pub fn stderr(&self) -> String {
        self.stderr.contents()
    }
}

/// A cloneable in-memory writer.
#[derive(Debug, Clone, Default)]
struct SharedBuffer(Arc<Mutex<Vec<u8>>>);

impl SharedBuffer {
    fn contents(&self) -> String {
        let buf = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&buf).into_owned()
    }
}

impl Write for SharedBuffer {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
