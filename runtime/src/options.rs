//! The connection options pgtable reads from a PostgreSQL URL itself,
//! because tokio-postgres does not know them: `sslmode` beyond
//! `disable`/`prefer`/`require` (`verify-ca`, `verify-full`), `sslrootcert`,
//! and `pgbouncer=true` (Prisma's spelling). The rest of the URL goes to
//! tokio-postgres unchanged.

use std::path::PathBuf;
use std::str::FromStr;

use crate::tls::{SslMode, TlsSettings};

/// A URL split into tokio-postgres's configuration and pgtable's options.
#[derive(Debug)]
pub(crate) struct Parsed {
    pub config: tokio_postgres::Config,
    pub tls: TlsSettings,
    pub pgbouncer: Option<bool>,
}

const OURS: &[&str] = &["sslmode", "sslrootcert", "pgbouncer"];

/// Parses `url` (`postgres://…?…` or `host=… user=…`); `env` looks up
/// `PGSSLMODE` / `PGSSLROOTCERT` for what the URL leaves out.
pub(crate) fn parse(url: &str, env: impl Fn(&str) -> Option<String>) -> Result<Parsed, String> {
    let is_url = url.starts_with("postgres://") || url.starts_with("postgresql://");
    let (rest, ours) = if is_url {
        split_url(url)
    } else {
        split_key_values(url)
    };
    let config = tokio_postgres::Config::from_str(&rest).map_err(|err| err.to_string())?;
    let mut tls = TlsSettings::default();
    let mut pgbouncer = None;
    let mut mode_given = false;
    let mut root_given = false;
    for (key, value) in ours {
        match key.as_str() {
            "sslmode" => {
                tls.mode = SslMode::parse(&value)?;
                mode_given = true;
            }
            "sslrootcert" => {
                tls.root_cert = Some(PathBuf::from(value));
                root_given = true;
            }
            "pgbouncer" => {
                pgbouncer = Some(match value.as_str() {
                    "true" | "1" | "on" => true,
                    "false" | "0" | "off" => false,
                    other => return Err(format!("pgbouncer={other:?}: use true or false")),
                })
            }
            _ => unreachable!("only our keys are split off"),
        }
    }
    if !mode_given && let Some(mode) = env("PGSSLMODE") {
        tls.mode = SslMode::parse(&mode).map_err(|err| format!("PGSSLMODE: {err}"))?;
    }
    if !root_given && let Some(path) = env("PGSSLROOTCERT") {
        tls.root_cert = Some(PathBuf::from(path));
    }
    Ok(Parsed {
        config,
        tls,
        pgbouncer,
    })
}

/// `postgres://…?a=1&sslmode=verify-full` -> (`postgres://…?a=1`, [sslmode]).
fn split_url(url: &str) -> (String, Vec<(String, String)>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_owned(), Vec::new());
    };
    let mut kept = Vec::new();
    let mut ours = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if OURS.contains(&key) {
            ours.push((key.to_owned(), percent_decode(value)));
        } else {
            kept.push(pair);
        }
    }
    let rest = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (rest, ours)
}

/// `host=h sslmode=verify-ca` -> (`host=h`, [sslmode]). Values of our keys
/// are plain words or `'quoted'`.
fn split_key_values(text: &str) -> (String, Vec<(String, String)>) {
    let mut kept = Vec::new();
    let mut ours = Vec::new();
    for token in text.split_whitespace() {
        match token.split_once('=') {
            Some((key, value)) if OURS.contains(&key) => {
                ours.push((key.to_owned(), value.trim_matches('\'').to_owned()))
            }
            _ => kept.push(token),
        }
    }
    (kept.join(" "), ours)
}

fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = value
                .get(i + 1..i + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn our_options_are_taken_out_of_the_url() {
        let parsed = parse(
            "postgres://u@h:5433/db?sslmode=verify-full&application_name=x&sslrootcert=%2Ftmp%2Fca.pem&pgbouncer=true",
            no_env,
        )
        .unwrap();
        assert_eq!(parsed.tls.mode, SslMode::VerifyFull);
        assert_eq!(parsed.tls.root_cert, Some(PathBuf::from("/tmp/ca.pem")));
        assert_eq!(parsed.pgbouncer, Some(true));
        assert_eq!(parsed.config.get_application_name(), Some("x"));
        assert_eq!(parsed.config.get_dbname(), Some("db"));
    }

    #[test]
    fn key_value_form_and_environment() {
        let env = |key: &str| match key {
            "PGSSLMODE" => Some("require".to_owned()),
            "PGSSLROOTCERT" => Some("/etc/ca.pem".to_owned()),
            _ => None,
        };
        let parsed = parse("host=h user=u dbname=d", env).unwrap();
        assert_eq!(parsed.tls.mode, SslMode::Require);
        assert_eq!(parsed.tls.root_cert, Some(PathBuf::from("/etc/ca.pem")));
        let parsed = parse("host=h user=u sslmode=disable", env).unwrap();
        assert_eq!(parsed.tls.mode, SslMode::Disable);
        assert_eq!(parsed.config.get_user(), Some("u"));
        assert_eq!(
            parse("postgres://u@h/d", no_env).unwrap().tls.mode,
            SslMode::Prefer
        );
    }

    #[test]
    fn bad_values_say_what_is_accepted() {
        assert!(
            parse("postgres://u@h/d?sslmode=on", no_env)
                .unwrap_err()
                .contains("verify-full")
        );
        assert!(
            parse("postgres://u@h/d?pgbouncer=yes", no_env)
                .unwrap_err()
                .contains("true or false")
        );
    }
}
