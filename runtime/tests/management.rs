//! The management commands, driven through `execute_from` with in-memory standard streams
//! against a temporary SQLite file.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

use drf_runtime::db::Db;
use drf_runtime::hashers::{HasherConfig, check_password, is_password_usable};
use drf_runtime::management::{CaptureBuilder, CommandIo, execute_from};
use drf_runtime::{DefaultSettings, Router, User};

/// A fresh database file in its own temporary directory, removed on drop.
struct Project {
    dir: PathBuf,
    url: String,
}

impl Project {
    fn new() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "drf-management-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let url = format!("sqlite://{}", dir.join("db.sqlite3").display());
        Self { dir, url }
    }

    /// In-memory streams holding `stdin`, with this project's configuration.
    fn io(&self, stdin: &str) -> CaptureBuilder {
        CommandIo::memory(stdin)
            .env("DATABASE_URL", &self.url)
            .env("SECRET_KEY", "test-secret-key")
            .env("PASSWORD_ITERATIONS", "1000")
    }

    async fn run(&self, args: &[&str], stdin: &str) -> Run {
        self.run_io(args, self.io(stdin)).await
    }

    async fn run_io(&self, args: &[&str], io: CaptureBuilder) -> Run {
        let (io, out) = io.build();
        let args = std::iter::once("manage")
            .chain(args.iter().copied())
            .map(String::from);
        let code = execute_from(Router::<DefaultSettings>::new(), args, io).await;
        Run {
            code,
            stdout: out.stdout(),
            stderr: out.stderr(),
        }
    }

    async fn db(&self) -> Db {
        Db::connect(&self.url).await.expect("connect")
    }

    async fn user(&self, username: &str) -> User {
        let db = self.db().await;
        let user = db
            .user_by_username(username)
            .await
            .expect("query")
            .unwrap_or_else(|| panic!("no user {username}"));
        db.close().await;
        user
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[derive(Debug)]
struct Run {
    code: ExitCode,
    stdout: String,
    stderr: String,
}

impl Run {
    #[track_caller]
    fn ok(&self) -> &Self {
        assert_eq!(self.code, ExitCode::SUCCESS, "{self:#?}");
        self
    }

    #[track_caller]
    fn failed(&self, code: u8) -> &Self {
        assert_eq!(self.code, ExitCode::from(code), "{self:#?}");
        self
    }
}

fn cfg() -> HasherConfig {
    HasherConfig::with_iterations(1000)
}

/// The `Generated token KEY for user NAME` line's key.
fn token_key(stdout: &str, username: &str) -> String {
    let line = stdout.trim_end();
    let key = line
        .strip_prefix("Generated token ")
        .and_then(|rest| rest.strip_suffix(&format!(" for user {username}")))
        .unwrap_or_else(|| panic!("unexpected output {stdout:?}"));
    assert_eq!(key.len(), 40);
    assert!(key.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));
    key.to_owned()
}

#[tokio::test]
async fn migrate_applies_everything_once() {
    let p = Project::new();
    let first = p.run(&["migrate"], "").await;
    first.ok();
    assert!(
        first.stdout.starts_with(
            "Operations to perform:\n  Apply all migrations: auth, authtoken, contenttypes, \
             sessions\nRunning migrations:\n  Applying contenttypes.0001_initial... OK\n"
        ),
        "{first:#?}"
    );
    assert!(
        first
            .stdout
            .contains("  Applying authtoken.0004_alter_tokenproxy_options... OK\n")
    );
    assert!(
        first
            .stdout
            .ends_with("  Applying sessions.0001_initial... OK\n")
    );
    assert_eq!(first.stderr, "");

    let second = p.run(&["migrate", "--noinput"], "").await;
    second.ok();
    assert_eq!(
        second.stdout,
        "Operations to perform:\n  Apply all migrations: auth, authtoken, contenttypes, \
         sessions\nRunning migrations:\n  No migrations to apply.\n"
    );

    let quiet = p.run(&["migrate", "-v", "0"], "").await;
    quiet.ok();
    assert_eq!(quiet.stdout, "");
}

#[tokio::test]
async fn drf_create_token_reuses_and_resets() {
    let p = Project::new();
    p.run(&["createuser", "alice", "--password", "pw-alice-123"], "")
        .await
        .ok();

    let first = p.run(&["drf_create_token", "alice"], "").await;
    first.ok();
    let key = token_key(&first.stdout, "alice");
    let again = p.run(&["drf_create_token", "alice"], "").await;
    again.ok();
    assert_eq!(
        token_key(&again.stdout, "alice"),
        key,
        "an existing token is reused"
    );

    let reset = p.run(&["drf_create_token", "-r", "alice"], "").await;
    reset.ok();
    let new_key = token_key(&reset.stdout, "alice");
    assert_ne!(new_key, key);
    let db = p.db().await;
    assert!(
        db.token_with_user(&key).await.unwrap().is_none(),
        "the old key is gone"
    );
    let (token, user) = db
        .token_with_user(&new_key)
        .await
        .unwrap()
        .expect("new key");
    assert_eq!(
        (token.key.as_str(), user.username.as_str()),
        (new_key.as_str(), "alice")
    );
    db.close().await;

    let long = p.run(&["drf_create_token", "--reset", "alice"], "").await;
    long.ok();
    assert_ne!(token_key(&long.stdout, "alice"), new_key);
}

#[tokio::test]
async fn drf_create_token_for_an_unknown_user_fails() {
    let p = Project::new();
    let run = p.run(&["drf_create_token", "NOBODY"], "").await;
    run.failed(1);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "CommandError: Cannot create the Token: user NOBODY does not exist\n"
    );
}

#[tokio::test]
async fn drf_create_token_help_is_drfs() {
    let p = Project::new();
    let help = p.run(&["drf_create_token", "--help"], "").await;
    help.ok();
    assert!(
        help.stdout.starts_with("Create DRF Token for a given user"),
        "{help:#?}"
    );
    assert!(
        help.stdout
            .contains("Reset existing User token and create a new one")
    );
    // Django's `manage.py help <command>`.
    let help = p.run(&["help", "drf_create_token"], "").await;
    help.ok();
    assert!(
        help.stdout.starts_with("Create DRF Token for a given user"),
        "{help:#?}"
    );
}

#[tokio::test]
async fn createuser_hashes_as_django() {
    let p = Project::new();
    let run = p
        .run(
            &[
                "createuser",
                "alice",
                "--email",
                "Alice@EXAMPLE.com",
                "--password",
                "s3cret-pass",
            ],
            "",
        )
        .await;
    run.ok();
    assert_eq!(run.stdout, "User alice created.\n");
    assert!(!run.stdout.contains("s3cret") && !run.stderr.contains("s3cret"));
    let user = p.user("alice").await;
    assert!(
        user.password.starts_with("pbkdf2_sha256$1000$"),
        "{}",
        user.password
    );
    assert_eq!(user.password.split('$').count(), 4);
    assert!(check_password("s3cret-pass", &user.password, &cfg()).ok);
    assert!(!check_password("wrong", &user.password, &cfg()).ok);
    assert_eq!(user.email, "Alice@example.com");
    assert!(user.is_active && !user.is_staff && !user.is_superuser);
    assert!(user.date_joined.is_some() && user.last_login.is_none());
}

#[tokio::test]
async fn createuser_flags_stdin_password_and_unusable_password() {
    let p = Project::new();
    p.run(
        &["createuser", "admin", "--superuser", "--password-stdin"],
        "from-stdin-1\n",
    )
    .await
    .ok();
    let admin = p.user("admin").await;
    assert!(admin.is_superuser && admin.is_staff && admin.is_active);
    assert!(check_password("from-stdin-1", &admin.password, &cfg()).ok);

    p.run(&["createuser", "staffer", "--staff", "--inactive"], "")
        .await
        .ok();
    let staffer = p.user("staffer").await;
    assert!(staffer.is_staff && !staffer.is_superuser && !staffer.is_active);
    assert!(!is_password_usable(&staffer.password));
    assert_eq!(staffer.password.len(), 41);
    assert_eq!(staffer.email, "");
}

#[tokio::test]
async fn createuser_errors() {
    let p = Project::new();
    p.run(&["createuser", "alice"], "").await.ok();
    let taken = p
        .run(&["createuser", "alice", "--password", "x-long-pass"], "")
        .await;
    taken.failed(1);
    assert_eq!(
        taken.stderr,
        "CommandError: Error: That username is already taken.\n"
    );
    assert_eq!(taken.stdout, "");

    let bad = p.run(&["createuser", "no spaces"], "").await;
    bad.failed(1);
    assert_eq!(
        bad.stderr,
        "CommandError: Enter a valid username. This value may contain only letters, numbers, \
         and @/./+/-/_ characters.\n"
    );
    let email = p
        .run(&["createuser", "bob", "--email", "not-an-email"], "")
        .await;
    email.failed(1);
    assert_eq!(email.stderr, "CommandError: Enter a valid email address.\n");
    let blank = p
        .run(&["createuser", "bob", "--password-stdin"], "  \n")
        .await;
    blank.failed(1);
    assert_eq!(
        blank.stderr,
        "CommandError: Blank passwords aren't allowed.\n"
    );
    let none = p.run(&["createuser", "bob", "--password-stdin"], "").await;
    none.failed(1);
    assert_eq!(
        none.stderr,
        "CommandError: No password on standard input.\n"
    );

    let both = p
        .run(
            &["createuser", "bob", "--password", "a", "--password-stdin"],
            "",
        )
        .await;
    both.failed(2);
    assert!(both.stderr.contains("cannot be used with"), "{both:#?}");
}

#[tokio::test]
async fn createsuperuser_noinput_with_password() {
    let p = Project::new();
    let io = p
        .io("")
        .env("DJANGO_SUPERUSER_PASSWORD", "env-pass-123")
        .env("DJANGO_SUPERUSER_EMAIL", "Root@Example.COM");
    let run = p
        .run_io(&["createsuperuser", "--noinput", "--username", "root"], io)
        .await;
    run.ok();
    assert_eq!(run.stdout, "Superuser created successfully.\n");
    assert_eq!(run.stderr, "");
    let root = p.user("root").await;
    assert!(root.is_superuser && root.is_staff && root.is_active);
    assert_eq!(root.email, "Root@example.com");
    assert!(root.password.starts_with("pbkdf2_sha256$1000$"));
    assert!(check_password("env-pass-123", &root.password, &cfg()).ok);

    // Username from the environment, no password: an unusable one, as Django does.
    let io = p.io("").env("DJANGO_SUPERUSER_USERNAME", "envroot");
    let run = p
        .run_io(
            &["createsuperuser", "--no-input", "--email", "e@example.com"],
            io,
        )
        .await;
    run.ok();
    let envroot = p.user("envroot").await;
    assert!(envroot.is_superuser);
    assert!(!is_password_usable(&envroot.password));

    // Taken.
    let run = p
        .run(
            &[
                "createsuperuser",
                "--noinput",
                "--username",
                "root",
                "--email",
                "a@b.co",
            ],
            "",
        )
        .await;
    run.failed(1);
    assert_eq!(
        run.stderr,
        "CommandError: Error: That username is already taken.\n"
    );
}

#[tokio::test]
async fn createsuperuser_noinput_errors() {
    let p = Project::new();
    let run = p.run(&["createsuperuser", "--noinput"], "").await;
    run.failed(1);
    assert_eq!(
        run.stderr,
        "CommandError: You must use --username with --noinput.\n"
    );

    let run = p
        .run(&["createsuperuser", "--noinput", "--username", "root"], "")
        .await;
    run.failed(1);
    assert_eq!(
        run.stderr,
        "CommandError: You must use --email with --noinput.\n"
    );

    let run = p
        .run(
            &[
                "createsuperuser",
                "--noinput",
                "--username",
                "",
                "--email",
                "a@b.co",
            ],
            "",
        )
        .await;
    run.failed(1);
    assert_eq!(run.stderr, "CommandError: Username cannot be blank.\n");

    let run = p
        .run(
            &[
                "createsuperuser",
                "--noinput",
                "--username",
                "r",
                "--email",
                "bad",
            ],
            "",
        )
        .await;
    run.failed(1);
    assert_eq!(run.stderr, "CommandError: Enter a valid email address.\n");
}

#[tokio::test]
async fn createsuperuser_without_a_terminal_is_skipped() {
    let p = Project::new();
    let run = p.run(&["createsuperuser", "--username", "root"], "").await;
    run.ok();
    assert_eq!(
        run.stdout,
        "Superuser creation skipped due to not running in a TTY. You can run `manage.py \
         createsuperuser` in your project to create one manually.\n"
    );
    let db = p.db().await;
    assert!(db.user_by_username("root").await.unwrap().is_none());
    db.close().await;
}

#[tokio::test]
async fn createsuperuser_prompts_as_django() {
    let p = Project::new();
    p.run(&["createuser", "taken"], "").await.ok();
    let answers = [
        "",                 // Username: blank
        "taken",            // Username: taken
        "root",             // Username
        "not-an-email",     // Email address: invalid
        "Root@Example.com", // Email address
        "one",              // Password
        "two",              // Password (again): mismatch
        " ",                // Password
        " ",                // Password (again): blank
        "root",             // Password
        "root",             // Password (again): fails validation
        "n",                // Bypass? no
        "12345678",         // Password
        "12345678",         // Password (again): numeric
        "Y",                // Bypass? yes
    ];
    let mut stdin = answers.join("\n");
    stdin.push('\n');
    let run = p
        .run_io(&["createsuperuser"], p.io(&stdin).terminal(true))
        .await;
    run.ok();
    assert_eq!(
        run.stdout,
        "Username: Username: Username: Email address: Email address: \
         Bypass password validation and create user anyway? [y/N]: \
         Bypass password validation and create user anyway? [y/N]: \
         Superuser created successfully.\n"
    );
    // Hidden prompts go to standard error when there is no terminal, as Python's getpass does.
    assert_eq!(
        run.stderr,
        "Error: This field cannot be blank.\n\
         Error: That username is already taken.\n\
         Error: Enter a valid email address.\n\
         Password: Password (again): Error: Your passwords didn't match.\n\
         Password: Password (again): Error: Blank passwords aren't allowed.\n\
         Password: Password (again): The password is too similar to the username.\n\
         This password is too short. It must contain at least 8 characters.\n\
         Password: Password (again): This password is entirely numeric.\n"
    );
    let root = p.user("root").await;
    assert!(root.is_superuser);
    assert_eq!(root.email, "Root@example.com");
    assert!(check_password("12345678", &root.password, &cfg()).ok);
}

#[tokio::test]
async fn createsuperuser_given_options_prompts_for_the_password_only() {
    let p = Project::new();
    let io = p.io("long-enough-pw\nlong-enough-pw\n").terminal(true);
    let run = p
        .run_io(
            &[
                "createsuperuser",
                "--username",
                "ops",
                "--email",
                "ops@example.com",
            ],
            io,
        )
        .await;
    run.ok();
    assert_eq!(run.stdout, "Superuser created successfully.\n");
    assert_eq!(run.stderr, "Password: Password (again): ");
    assert!(check_password("long-enough-pw", &p.user("ops").await.password, &cfg()).ok);

    // End of input while prompting: cancelled, nothing created.
    let io = p.io("").terminal(true);
    let run = p.run_io(&["createsuperuser"], io).await;
    run.failed(1);
    assert_eq!(run.stdout, "Username: ");
    assert_eq!(run.stderr, "\nOperation cancelled.\n");
}

#[tokio::test]
async fn changepassword_changes_the_hash() {
    let p = Project::new();
    p.run(&["createuser", "alice", "--password", "old-password-1"], "")
        .await
        .ok();
    let run = p
        .run(
            &["changepassword", "alice"],
            "new-password-2\nnew-password-2\n",
        )
        .await;
    run.ok();
    assert_eq!(
        run.stdout,
        "Changing password for user 'alice'\nPassword changed successfully for user 'alice'\n"
    );
    assert_eq!(run.stderr, "Password: Password (again): ");
    let alice = p.user("alice").await;
    assert!(alice.password.starts_with("pbkdf2_sha256$1000$"));
    assert!(check_password("new-password-2", &alice.password, &cfg()).ok);
    assert!(!check_password("old-password-1", &alice.password, &cfg()).ok);

    // The current login name is the default, as Django's getpass.getuser().
    let io = p
        .io("third-password-3\nthird-password-3\n")
        .env("USER", "alice");
    p.run_io(&["changepassword"], io).await.ok();
    assert!(check_password("third-password-3", &p.user("alice").await.password, &cfg()).ok);
}

#[tokio::test]
async fn changepassword_gives_up_after_three_mismatches() {
    let p = Project::new();
    p.run(&["createuser", "alice", "--password", "old-password-1"], "")
        .await
        .ok();
    let before = p.user("alice").await.password;
    let run = p
        .run(
            &["changepassword", "alice"],
            "a1-password\nb1-password\na2-password\nb2-password\na3-password\nb3-password\n",
        )
        .await;
    run.failed(1);
    assert_eq!(
        run.stdout,
        "Changing password for user 'alice'\n\
         Passwords do not match. Please try again.\n\
         Passwords do not match. Please try again.\n\
         Passwords do not match. Please try again.\n"
    );
    assert!(
        run.stderr.ends_with(
            "CommandError: Aborting password change for user 'alice' after 3 attempts\n"
        ),
        "{run:#?}"
    );
    assert_eq!(p.user("alice").await.password, before, "unchanged");
}

#[tokio::test]
async fn changepassword_validates_and_retries() {
    let p = Project::new();
    p.run(&["createuser", "alice"], "").await.ok();
    let run = p
        .run(
            &["changepassword", "alice"],
            "short\nshort\nalice\nalice\ngood-password\ngood-password\n",
        )
        .await;
    run.ok();
    assert_eq!(
        run.stderr,
        "Password: Password (again): This password is too short. It must contain at least 8 \
         characters.\n\
         Password: Password (again): The password is too similar to the username.\n\
         This password is too short. It must contain at least 8 characters.\n\
         Password: Password (again): "
    );
    assert!(check_password("good-password", &p.user("alice").await.password, &cfg()).ok);

    // An empty answer aborts, as Django's `_get_pass`.
    let run = p.run(&["changepassword", "alice"], "\n").await;
    run.failed(1);
    assert!(run.stderr.ends_with("CommandError: aborted\n"), "{run:#?}");
}

#[tokio::test]
async fn changepassword_for_an_unknown_user_fails() {
    let p = Project::new();
    let run = p.run(&["changepassword", "bob"], "").await;
    run.failed(1);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr, "CommandError: user 'bob' does not exist\n");
}

#[tokio::test]
async fn bad_command_lines_exit_2() {
    let p = Project::new();
    let unknown = p.run(&["frobnicate"], "").await;
    unknown.failed(2);
    assert!(
        unknown
            .stderr
            .starts_with("error: unrecognized subcommand 'frobnicate'"),
        "{unknown:#?}"
    );
    assert_eq!(unknown.stdout, "");

    let missing = p.run(&["drf_create_token"], "").await;
    missing.failed(2);
    assert!(missing.stderr.contains("<USERNAME>"), "{missing:#?}");

    let nothing = p.run(&[], "").await;
    nothing.failed(2);
    assert!(nothing.stderr.contains("drf_create_token"), "{nothing:#?}");

    let help = p.run(&["--help"], "").await;
    help.ok();
    for name in [
        "migrate",
        "runserver",
        "createuser",
        "createsuperuser",
        "changepassword",
    ] {
        assert!(help.stdout.contains(name), "{name}: {help:#?}");
    }
}

#[tokio::test]
async fn configuration_and_connection_errors_exit_1() {
    let p = Project::new();
    let run = p
        .run_io(&["migrate"], p.io("").env("PASSWORD_ITERATIONS", "0"))
        .await;
    run.failed(1);
    assert_eq!(
        run.stderr,
        "CommandError: PASSWORD_ITERATIONS must be from 1 to 100000000; got 0\n"
    );
    // Values that would overflow a deadline or a cookie date are refused at start-up.
    for (name, value, message) in [
        (
            "HEADER_TIMEOUT_SECS",
            "18446744073709551615",
            "HEADER_TIMEOUT_SECS must be at most 604800 (7 days), or 0 for no timeout; got 18446744073709551615",
        ),
        (
            "IDLE_TIMEOUT_SECS",
            "604801",
            "IDLE_TIMEOUT_SECS must be at most 604800 (7 days), or 0 for no timeout; got 604801",
        ),
        (
            "CSRF_COOKIE_AGE",
            "9223372036854775807",
            "CSRF_COOKIE_AGE must be within 3153600000 seconds (100 years) either way; got 9223372036854775807",
        ),
        (
            "SESSION_COOKIE_AGE",
            "-9223372036854775808",
            "SESSION_COOKIE_AGE must be within 3153600000 seconds (100 years) either way; got -9223372036854775808",
        ),
    ] {
        let run = p.run_io(&["migrate"], p.io("").env(name, value)).await;
        run.failed(1);
        assert_eq!(run.stderr, format!("CommandError: {message}\n"), "{name}");
    }

    let run = p
        .run_io(
            &["migrate"],
            p.io("").env("DATABASE_URL", "mysql://localhost/x"),
        )
        .await;
    run.failed(1);
    assert!(run.stderr.starts_with("CommandError: "), "{run:#?}");
    assert_eq!(run.stderr.lines().count(), 1);
}

#[tokio::test]
async fn runserver_reports_a_busy_port_as_django() {
    let p = Project::new();
    let busy = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = busy.local_addr().expect("addr").to_string();
    let run = p.run(&["runserver", &addr], "").await;
    run.failed(1);
    assert_eq!(run.stderr, "Error: That port is already in use.\n");

    let run = p.run(&["runserver", "nope:port"], "").await;
    run.failed(1);
    assert_eq!(
        run.stderr,
        "CommandError: \"nope:port\" is not a valid port number or address:port pair.\n"
    );
}
