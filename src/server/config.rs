//! One typed configuration, read once at start from the environment (or the
//! same names as command-line flags): a bad value stops the server with a
//! message that names the variable. Every variable is in README's table.
use clap::builder::BoolishValueParser;
use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

pub use crate::store::DatabaseUrl;

#[derive(Debug, Clone, Parser)]
#[command(name = "thi24", version, about = "Thi tìm hiểu Chỉ thị 24-CT/TU — máy chủ")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub settings: Settings,
}

#[derive(Debug, Clone, Subcommand, PartialEq, Eq)]
pub enum Command {
    /// Serve the app (the default).
    Serve,
    /// Rebuild the leaderboards' aggregates from the attempts, then exit.
    Recompute,
    /// Copy the SQLite database, online, into a new file (never migrates it).
    Backup {
        /// The new file (an existing one is never overwritten).
        to: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    /// One JSON object per line, with the request id of the request it belongs to.
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Address to listen on.
    #[arg(long, env = "LEPTOS_SITE_ADDR", value_name = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000")]
    pub site_addr: std::net::SocketAddr,
    /// `sqlite:PATH` (any form sqlx accepts, or a plain file path) or `postgres://…`.
    #[arg(long, env = "DATABASE_URL", value_name = "DATABASE_URL", default_value = "sqlite:data/thi24.db")]
    pub database_url: DatabaseUrl,
    /// PostgreSQL pool size per app server.
    #[arg(long, env = "DATABASE_MAX_CONNECTIONS", value_name = "DATABASE_MAX_CONNECTIONS", default_value_t = 20,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub database_max_connections: u32,
    /// Seed an empty database with demo data and keep the demo week open.
    #[arg(long, env = "SEED_DEMO", value_name = "SEED_DEMO", default_value = "1", action = ArgAction::Set, value_parser = BoolishValueParser::new())]
    pub seed_demo: bool,
    /// The seeded administrator's phone number.
    #[arg(long, env = "ADMIN_PHONE", value_name = "ADMIN_PHONE", default_value = "0900000000", value_parser = phone)]
    pub admin_phone: String,
    /// The seeded administrator's password (at least 8 characters); generated and printed once when unset.
    #[arg(long, env = "ADMIN_PASSWORD", value_name = "ADMIN_PASSWORD", hide_env_values = true, value_parser = password)]
    pub admin_password: Option<String>,
    /// Add `Secure` to cookies (serve behind HTTPS).
    #[arg(long, env = "COOKIE_SECURE", value_name = "COOKIE_SECURE", default_value = "0", action = ArgAction::Set, value_parser = BoolishValueParser::new())]
    pub cookie_secure: bool,
    /// Take the client address from `X-Forwarded-For` (behind a trusted reverse proxy).
    #[arg(long, env = "TRUST_PROXY", value_name = "TRUST_PROXY", default_value = "0", action = ArgAction::Set, value_parser = BoolishValueParser::new())]
    pub trust_proxy: bool,
    /// Failed logins in a row before the phone number is locked (1 min, then doubling up to 1 h).
    #[arg(long, env = "LOGIN_LIMIT_PER_PHONE", value_name = "LOGIN_LIMIT_PER_PHONE", default_value_t = 5,
          value_parser = clap::value_parser!(i64).range(1..=1_000))]
    pub login_limit_per_phone: i64,
    /// Failed logins and activations per client address per 5 minutes.
    #[arg(long, env = "LOGIN_LIMIT_PER_IP", value_name = "LOGIN_LIMIT_PER_IP", default_value_t = 300,
          value_parser = clap::value_parser!(i64).range(1..=10_000_000))]
    pub login_limit_per_ip: i64,
    /// Registrations per client address per hour.
    #[arg(long, env = "REGISTER_LIMIT_PER_IP", value_name = "REGISTER_LIMIT_PER_IP", default_value_t = 200,
          value_parser = clap::value_parser!(i64).range(1..=10_000_000))]
    pub register_limit_per_ip: i64,
    /// When set, `/metrics` answers only `Authorization: Bearer <token>`.
    #[arg(long, env = "METRICS_TOKEN", value_name = "METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// The log filter (tracing's `EnvFilter` syntax).
    #[arg(long, env = "RUST_LOG", value_name = "RUST_LOG", default_value = "info,sqlx=warn", value_parser = log_filter)]
    pub log_filter: String,
    #[arg(long, env = "LOG_FORMAT", value_name = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

impl Cli {
    /// Reads the command line and the environment; a bad value ends the process
    /// with a message naming the variable (exit code 2).
    pub fn read() -> Self {
        match Self::try_parse() {
            Ok(cli) => cli,
            Err(e) if matches!(e.kind(), clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion) => e.exit(),
            Err(e) => {
                eprintln!("Cấu hình không hợp lệ (xem bảng biến môi trường trong README):\n{e}");
                std::process::exit(2)
            }
        }
    }
}

fn phone(s: &str) -> Result<String, String> {
    crate::domain::PhoneNumber::parse(s).map(|p| p.as_str().to_string()).map_err(|_| "không phải số di động Việt Nam hợp lệ".to_string())
}

fn password(s: &str) -> Result<String, String> {
    if s.chars().count() < 8 {
        return Err("cần ít nhất 8 ký tự".into());
    }
    Ok(s.to_string())
}

fn log_filter(s: &str) -> Result<String, String> {
    tracing_subscriber::EnvFilter::try_new(s).map(|_| s.to_string()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_value_names_its_variable() {
        let err = Cli::try_parse_from(["thi24", "--login-limit-per-ip", "nhiều"]).unwrap_err().to_string();
        assert!(err.contains("LOGIN_LIMIT_PER_IP"), "{err}");
        let err = Cli::try_parse_from(["thi24", "--seed-demo", "maybe"]).unwrap_err().to_string();
        assert!(err.contains("SEED_DEMO"), "{err}");
        let err = Cli::try_parse_from(["thi24", "--admin-password", "short"]).unwrap_err().to_string();
        assert!(err.contains("ADMIN_PASSWORD"), "{err}");
        let err = Cli::try_parse_from(["thi24", "--database-url", "sqlite::memory:"]).unwrap_err().to_string();
        assert!(err.contains("DATABASE_URL"), "{err}");
    }

    #[test]
    fn subcommands() {
        let cli = Cli::try_parse_from(["thi24", "backup", "copy.db"]).unwrap();
        assert_eq!(cli.command, Some(Command::Backup { to: "copy.db".into() }));
        assert_eq!(Cli::try_parse_from(["thi24", "recompute"]).unwrap().command, Some(Command::Recompute));
    }
}
