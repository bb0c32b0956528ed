//! The command line, as clap sees it: Django's and DRF's command names, options and help texts.

use clap::{Args, Parser, Subcommand};

/// `manage <command> [options]`.
#[derive(Debug, Parser)]
#[command(
    about = "Management commands of a drf application (Django's manage.py).",
    arg_required_else_help = true
)]
pub(crate) struct Cli {
    /// Verbosity level; 0=minimal output, 1=normal output, 2=verbose output, 3=very verbose
    /// output.
    #[arg(
        short = 'v',
        long,
        global = true,
        default_value_t = 1,
        value_parser = clap::value_parser!(u8).range(0..=3)
    )]
    pub(crate) verbosity: u8,

    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Creates the tables of auth, authtoken, contenttypes and sessions that are missing and
    /// records their migrations (never touches apps Django migrated).
    Migrate {
        /// Accepted for compatibility with Django; migrate never prompts.
        #[arg(long = "noinput", visible_alias = "no-input")]
        noinput: bool,
    },

    /// Starts the web server; it serves until SIGINT or SIGTERM, then lets in-flight requests
    /// finish.
    Runserver(RunserverArgs),

    /// Creates a user (password hashed as Django hashes it; none given: an unusable password).
    Createuser(CreateuserArgs),

    /// Used to create a superuser.
    Createsuperuser(CreatesuperuserArgs),

    /// Change a user's password for django.contrib.auth.
    Changepassword {
        /// Username to change password for; by default, it's the current username.
        username: Option<String>,
    },

    /// Can be run as a cronjob or directly to clean out expired sessions (only with the database
    /// backend at the moment).
    Clearsessions,

    /// Lists every route with its methods, schemes, permissions, throttles and scope, marking
    /// what comes from the settings' defaults.
    #[command(name = "show_urls")]
    ShowUrls {
        /// `text` (the default) or `json`.
        #[arg(long, default_value = "text", value_parser = ["text", "json"])]
        format: String,
        /// Fails (exit 1), naming each view whose permissions come from
        /// DEFAULT_PERMISSION_CLASSES rather than its own attribute.
        #[arg(long)]
        strict: bool,
    },

    /// Writes the OpenAPI 3.1 document of every route (as GET /api/schema/ serves it), as
    /// JSON (drf-spectacular's command name).
    Spectacular {
        /// The file to write; standard output when absent.
        #[arg(long)]
        file: Option<std::path::PathBuf>,
    },

    /// Create DRF Token for a given user
    #[command(name = "drf_create_token")]
    DrfCreateToken {
        /// The user's username.
        username: String,
        /// Reset existing User token and create a new one
        #[arg(short = 'r', long = "reset")]
        reset: bool,
    },
}

#[derive(Debug, Args)]
pub(crate) struct RunserverArgs {
    /// Optional port number, or ipaddr:port (default: $BIND, else 127.0.0.1:8000).
    pub(crate) addrport: Option<String>,
    /// Uses an IPv6 address (::1 when no address is given).
    #[arg(short = '6', long = "ipv6")]
    pub(crate) ipv6: bool,
    /// Accepted for compatibility with Django; the server never reloads.
    #[arg(long = "noreload")]
    pub(crate) noreload: bool,
}

#[derive(Debug, Args)]
pub(crate) struct CreateuserArgs {
    /// The new user's username.
    pub(crate) username: String,
    /// The new user's email address (its domain is lower-cased, as Django does).
    #[arg(long)]
    pub(crate) email: Option<String>,
    /// The password (visible to other local users in the process list: prefer
    /// --password-stdin).
    #[arg(long, conflicts_with = "password_stdin")]
    pub(crate) password: Option<String>,
    /// Reads the password from the first line of standard input.
    #[arg(long)]
    pub(crate) password_stdin: bool,
    /// Sets is_staff.
    #[arg(long)]
    pub(crate) staff: bool,
    /// Sets is_superuser (and is_staff).
    #[arg(long)]
    pub(crate) superuser: bool,
    /// Clears is_active.
    #[arg(long)]
    pub(crate) inactive: bool,
}

#[derive(Debug, Args)]
pub(crate) struct CreatesuperuserArgs {
    /// Specifies the login for the superuser.
    #[arg(long)]
    pub(crate) username: Option<String>,
    /// Specifies the email for the superuser.
    #[arg(long)]
    pub(crate) email: Option<String>,
    /// Does NOT prompt the user for input of any kind. You must use --username
    /// with --noinput, along with an option for any other required field. Superusers created
    /// with --noinput will not be able to log in until they're given a valid password.
    #[arg(long = "noinput", visible_alias = "no-input")]
    pub(crate) noinput: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory as _;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
