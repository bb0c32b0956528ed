//! `createuser`, `createsuperuser` and `changepassword`.

use crate::app::App;
use crate::db::{DbError, NewUser};
use crate::hashers::make_unusable_password;
use crate::user::User;

use super::cli::{CreatesuperuserArgs, CreateuserArgs};
use super::io::CommandIo;
use super::validation::{
    UserAttributes, email_errors, normalize_email, password_errors, username_errors,
};
use super::{Failure, Outcome};

/// `changepassword`'s number of attempts.
const MAX_TRIES: u32 = 3;

const USERNAME_TAKEN: &str = "Error: That username is already taken.";
const USERNAME_BLANK: &str = "Username cannot be blank.";
const FIELD_BLANK: &str = "Error: This field cannot be blank.";

/// Django's `AbstractBaseUser.normalize_username`: Unicode NFKC.
fn normalize_username(username: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    username.nfkc().collect()
}

/// What `create_user` / `create_superuser` are given.
struct Account {
    username: String,
    email: String,
    /// `None`: an unusable password.
    password: Option<String>,
    is_staff: bool,
    is_superuser: bool,
    is_active: bool,
}

/// Django's `UserManager._create_user`: normalizes, hashes (off the reactor) and inserts.
async fn create(app: &App, account: Account) -> Result<User, Failure> {
    let password_hash = match account.password {
        Some(p) => app.passwords().make(p).await,
        None => make_unusable_password(),
    };
    let new = NewUser {
        email: normalize_email(&account.email),
        is_staff: account.is_staff,
        is_superuser: account.is_superuser,
        is_active: account.is_active,
        ..NewUser::new(normalize_username(&account.username), password_hash)
    };
    match app.db().create_user(new).await {
        Ok(user) => Ok(user),
        Err(DbError::UsernameTaken) => Err(Failure::command(USERNAME_TAKEN)),
        Err(e) => Err(e.into()),
    }
}

/// `createsuperuser`'s `_validate_username`: the error message for a taken, blank or invalid
/// username.
async fn username_problem(app: &App, username: &str) -> Result<Option<String>, Failure> {
    if app.db().user_by_username(username).await?.is_some() {
        return Ok(Some(USERNAME_TAKEN.to_owned()));
    }
    if username.is_empty() {
        return Ok(Some(USERNAME_BLANK.to_owned()));
    }
    Ok(username_errors(username))
}

/// `createuser USERNAME [--email E] [--password PW | --password-stdin] [--staff]
/// [--superuser] [--inactive]`.
pub(crate) async fn createuser(app: &App, io: &mut CommandIo, args: CreateuserArgs) -> Outcome {
    if args.username.is_empty() {
        return Err(Failure::command(USERNAME_BLANK));
    }
    if let Some(e) = username_errors(&args.username) {
        return Err(Failure::command(e));
    }
    let email = args.email.unwrap_or_default();
    if let Some(e) = email_errors(&email) {
        return Err(Failure::command(e));
    }
    let password = if args.password_stdin {
        match io.read_line().await {
            Ok(Some(p)) => Some(p),
            Ok(None) => return Err(Failure::command("No password on standard input.")),
            Err(e) => return Err(Failure::command(format!("Cannot read standard input: {e}"))),
        }
    } else {
        args.password
    };
    if password.as_ref().is_some_and(|p| p.trim().is_empty()) {
        return Err(Failure::command("Blank passwords aren't allowed."));
    }
    // Checked before hashing, so a taken name costs no hash; `create` catches a race.
    if app.db().user_by_username(&args.username).await?.is_some() {
        return Err(Failure::command(USERNAME_TAKEN));
    }
    let user = create(
        app,
        Account {
            username: args.username,
            email,
            password,
            is_staff: args.staff || args.superuser,
            is_superuser: args.superuser,
            is_active: !args.inactive,
        },
    )
    .await?;
    io.out(format_args!("User {} created.", user.username));
    Ok(())
}

/// `createsuperuser [--username U] [--email E] [--noinput]`, as Django's.
pub(crate) async fn createsuperuser(
    app: &App,
    io: &mut CommandIo,
    args: CreatesuperuserArgs,
    verbosity: u8,
) -> Outcome {
    let account = if args.noinput {
        superuser_from_options(app, io, args).await?
    } else if !io.stdin_is_terminal() {
        io.out(
            "Superuser creation skipped due to not running in a TTY. You can run `manage.py \
             createsuperuser` in your project to create one manually.",
        );
        return Ok(());
    } else {
        match superuser_from_prompts(app, io, args).await? {
            Some(account) => account,
            None => {
                io.err("\nOperation cancelled.");
                return Err(Failure::Exit(1));
            }
        }
    };
    create(app, account).await?;
    if verbosity >= 1 {
        io.out("Superuser created successfully.");
    }
    Ok(())
}

/// `createsuperuser --noinput`: options, then `DJANGO_SUPERUSER_*` variables.
async fn superuser_from_options(
    app: &App,
    io: &CommandIo,
    args: CreatesuperuserArgs,
) -> Result<Account, Failure> {
    // Present even if empty: Django then hashes the empty string.
    let password = io.var("DJANGO_SUPERUSER_PASSWORD");
    let Some(username) = args
        .username
        .or_else(|| io.var("DJANGO_SUPERUSER_USERNAME"))
    else {
        return Err(Failure::command("You must use --username with --noinput."));
    };
    if let Some(problem) = username_problem(app, &username).await? {
        return Err(Failure::command(problem));
    }
    let email = args
        .email
        .filter(|e| !e.is_empty())
        .or_else(|| io.var("DJANGO_SUPERUSER_EMAIL"))
        .filter(|e| !e.is_empty())
        .ok_or_else(|| Failure::command("You must use --email with --noinput."))?;
    if let Some(e) = email_errors(&email) {
        return Err(Failure::command(e));
    }
    Ok(superuser(username, email, password))
}

fn superuser(username: String, email: String, password: Option<String>) -> Account {
    Account {
        username,
        email,
        password,
        is_staff: true,
        is_superuser: true,
        is_active: true,
    }
}

/// Python's `input()` for the prompts: `None` at end of input (Django: `EOFError`), which the
/// caller reports as a cancelled operation.
macro_rules! prompt {
    ($io:expr, $method:ident, $text:expr) => {
        match $io.$method($text).await {
            Ok(Some(line)) => line,
            Ok(None) => return Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => return Ok(None),
            Err(e) => {
                return Err(Failure::command(format!("Cannot read the answer: {e}")));
            }
        }
    };
}

/// Interactive `createsuperuser`; `None` when the user cancelled (end of input, Ctrl-C).
async fn superuser_from_prompts(
    app: &App,
    io: &mut CommandIo,
    args: CreatesuperuserArgs,
) -> Result<Option<Account>, Failure> {
    let mut username = args.username;
    match username.as_deref() {
        Some("") => return Err(Failure::command(USERNAME_BLANK)),
        Some(given) => {
            if let Some(problem) = username_problem(app, given).await? {
                io.err(problem);
                username = None;
            }
        }
        None => {}
    }
    let username = match username {
        Some(u) => u,
        None => loop {
            let typed = prompt!(io, input, "Username: ");
            // `field.clean` of the typed value, then `_validate_username`.
            if typed.is_empty() {
                io.err(FIELD_BLANK);
                continue;
            }
            if let Some(e) = username_errors(&typed) {
                io.err(format_args!("Error: {e}"));
                continue;
            }
            if let Some(problem) = username_problem(app, &typed).await? {
                io.err(problem);
                continue;
            }
            break typed;
        },
    };
    let email = match args.email {
        Some(e) => {
            if let Some(problem) = email_errors(&e) {
                return Err(Failure::command(problem));
            }
            e
        }
        None => loop {
            let typed = prompt!(io, input, "Email address: ");
            if let Some(e) = email_errors(&typed) {
                io.err(format_args!("Error: {e}"));
                continue;
            }
            break typed;
        },
    };
    let password = loop {
        let first = prompt!(io, password, "Password: ");
        let second = prompt!(io, password, "Password (again): ");
        if first != second {
            io.err("Error: Your passwords didn't match.");
            continue;
        }
        if first.trim().is_empty() {
            io.err("Error: Blank passwords aren't allowed.");
            continue;
        }
        let attributes = UserAttributes {
            username: &username,
            email: &email,
            ..UserAttributes::default()
        };
        let errors = password_errors(&second, &attributes);
        if !errors.is_empty() {
            io.err(errors.join("\n"));
            let answer = prompt!(
                io,
                input,
                "Bypass password validation and create user anyway? [y/N]: "
            );
            if answer.to_lowercase() != "y" {
                continue;
            }
        }
        break first;
    };
    Ok(Some(superuser(username, email, Some(password))))
}

/// Python's `getpass.getuser()`: the login name from the environment.
fn current_login(io: &CommandIo) -> Option<String> {
    ["LOGNAME", "USER", "LNAME", "USERNAME"]
        .into_iter()
        .find_map(|name| io.var(name).filter(|v| !v.is_empty()))
}

/// `changepassword [USERNAME]`, as Django's: three attempts, validation as `createsuperuser`.
pub(crate) async fn changepassword(
    app: &App,
    io: &mut CommandIo,
    username: Option<String>,
) -> Outcome {
    let username = match username.or_else(|| current_login(io)) {
        Some(u) => u,
        None => {
            return Err(Failure::command(
                "Cannot determine the current username: give USERNAME.",
            ));
        }
    };
    let Some(user) = app.db().user_by_username(&username).await? else {
        return Err(Failure::command(format!(
            "user '{username}' does not exist"
        )));
    };
    let Some(user_id) = user.id else {
        return Err(Failure::command(format!(
            "user '{username}' does not exist"
        )));
    };
    io.out(format_args!(
        "Changing password for user '{}'",
        user.username
    ));
    let attributes = UserAttributes {
        username: &user.username,
        first_name: &user.first_name,
        last_name: &user.last_name,
        email: &user.email,
    };
    let mut count = 0;
    let mut accepted = None;
    while count < MAX_TRIES {
        let first = get_pass(io, "Password: ").await?;
        let second = get_pass(io, "Password (again): ").await?;
        if first != second {
            io.out("Passwords do not match. Please try again.");
            count += 1;
            continue;
        }
        let errors = password_errors(&second, &attributes);
        if errors.is_empty() {
            accepted = Some(first);
            break;
        }
        io.err(errors.join("\n"));
        count += 1;
    }
    let Some(password) = accepted else {
        return Err(Failure::command(format!(
            "Aborting password change for user '{}' after {count} attempts",
            user.username
        )));
    };
    let encoded = app.passwords().make(password).await;
    app.db().set_password(user_id, &encoded).await?;
    io.out(format_args!(
        "Password changed successfully for user '{}'",
        user.username
    ));
    Ok(())
}

/// `changepassword._get_pass`: an empty answer (or end of input) aborts.
async fn get_pass(io: &mut CommandIo, prompt: &str) -> Result<String, Failure> {
    match io.password(prompt).await {
        Ok(Some(p)) if !p.is_empty() => Ok(p),
        Ok(_) => Err(Failure::command("aborted")),
        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {
            io.err("\nOperation cancelled.");
            Err(Failure::Exit(1))
        }
        Err(e) => Err(Failure::command(format!("Cannot read the password: {e}"))),
    }
}

#[cfg(test)]
mod nfkc_tests {
    #[test]
    fn usernames_are_nfkc_normalized_as_django_does() {
        assert_eq!(super::normalize_username("ﬁle"), "file");
        assert_eq!(super::normalize_username("Ａlice"), "Alice");
        assert_eq!(super::normalize_username("ünï"), "ünï");
    }
}
