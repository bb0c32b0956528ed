//! `runserver [ADDRPORT]`: Django's address syntax and bind error texts around
//! [`server::run`](crate::server::run).

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::app::App;
use crate::router::Router;
use crate::server;
use crate::settings::Settings;

use super::cli::RunserverArgs;
use super::io::CommandIo;
use super::{Failure, Outcome};

/// Django's default port.
const DEFAULT_PORT: u16 = 8000;

/// Where to bind, before host names are resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Addr(SocketAddr),
    Host(String, u16),
}

/// Django's `runserver` address argument: `port`, `ipv4:port`, `[ipv6]:port` or
/// `hostname:port` (`0` is `0.0.0.0`). `None` means the configured address (`BIND`), or `::1`
/// port 8000 with `--ipv6`.
fn parse_addrport(addrport: Option<&str>, ipv6: bool, bind: SocketAddr) -> Result<Target, String> {
    let Some(given) = addrport else {
        return Ok(Target::Addr(if ipv6 {
            SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), DEFAULT_PORT)
        } else {
            bind
        }));
    };
    let invalid = || format!("\"{given}\" is not a valid port number or address:port pair.");
    let (addr, port) = match given.rsplit_once(':') {
        Some((addr, port)) if !addr.is_empty() => (Some(addr), port),
        Some(_) => return Err(invalid()),
        None => (None, given),
    };
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    let port: u16 = port.parse().map_err(|_| invalid())?;
    let Some(addr) = addr else {
        let ip = if ipv6 {
            IpAddr::V6(Ipv6Addr::LOCALHOST)
        } else {
            bind.ip()
        };
        return Ok(Target::Addr(SocketAddr::new(ip, port)));
    };
    if let Some(v6) = addr.strip_prefix('[').and_then(|a| a.strip_suffix(']')) {
        let ip: Ipv6Addr = v6
            .parse()
            .map_err(|_| format!("\"{v6}\" is not a valid IPv6 address."))?;
        return Ok(Target::Addr(SocketAddr::new(IpAddr::V6(ip), port)));
    }
    let is_ipv4_shape = addr.split('.').count() == 4
        && addr
            .split('.')
            .all(|o| (1..=3).contains(&o.len()) && o.bytes().all(|b| b.is_ascii_digit()));
    if is_ipv4_shape {
        let ip: Ipv4Addr = addr.parse().map_err(|_| invalid())?;
        if ipv6 {
            return Err(format!("\"{addr}\" is not a valid IPv6 address."));
        }
        return Ok(Target::Addr(SocketAddr::new(IpAddr::V4(ip), port)));
    }
    let is_fqdn = addr.split('.').all(|label| {
        !label.is_empty()
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    if !is_fqdn {
        return Err(invalid());
    }
    if addr == "0" {
        let ip = if ipv6 {
            IpAddr::V6(Ipv6Addr::UNSPECIFIED)
        } else {
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        };
        return Ok(Target::Addr(SocketAddr::new(ip, port)));
    }
    Ok(Target::Host(addr.to_owned(), port))
}

/// Django's texts for the usual bind errors.
fn bind_error_text(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::AddrInUse => "That port is already in use.".to_owned(),
        io::ErrorKind::PermissionDenied => {
            "You don't have permission to access that port.".to_owned()
        }
        io::ErrorKind::AddrNotAvailable => "That IP address can't be assigned to.".to_owned(),
        _ => e.to_string(),
    }
}

/// `runserver`: resolves the address, then serves until SIGINT/SIGTERM.
pub(crate) async fn runserver<S: Settings>(
    router: Router<S>,
    app: App,
    io: &mut CommandIo,
    args: RunserverArgs,
) -> Outcome {
    let target = parse_addrport(args.addrport.as_deref(), args.ipv6, app.config().bind)
        .map_err(Failure::Command)?;
    let addr = match target {
        Target::Addr(a) => a,
        Target::Host(host, port) => {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
                .await
                .map(Iterator::collect)
                .unwrap_or_default();
            // The address family asked for (`--ipv6` or not) first, else whatever resolved.
            let preferred = found.iter().find(|a| a.is_ipv6() == args.ipv6);
            match preferred.or(found.first()) {
                Some(a) => *a,
                None => {
                    io.err(format_args!(
                        "Error: Cannot resolve the host name \"{host}\"."
                    ));
                    return Err(Failure::Exit(1));
                }
            }
        }
    };
    match server::run(router, app, addr).await {
        Ok(()) => Ok(()),
        Err(e) => {
            io.err(format_args!("Error: {}", bind_error_text(&e)));
            Err(Failure::Exit(1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bind() -> SocketAddr {
        "127.0.0.1:8000".parse().unwrap()
    }

    fn addr(s: &str) -> Target {
        Target::Addr(s.parse().unwrap())
    }

    #[test]
    fn django_address_forms() {
        assert_eq!(
            parse_addrport(None, false, bind()),
            Ok(addr("127.0.0.1:8000"))
        );
        assert_eq!(parse_addrport(None, true, bind()), Ok(addr("[::1]:8000")));
        assert_eq!(
            parse_addrport(Some("9000"), false, bind()),
            Ok(addr("127.0.0.1:9000"))
        );
        assert_eq!(
            parse_addrport(Some("0.0.0.0:80"), false, bind()),
            Ok(addr("0.0.0.0:80"))
        );
        assert_eq!(
            parse_addrport(Some("0:8080"), false, bind()),
            Ok(addr("0.0.0.0:8080"))
        );
        assert_eq!(
            parse_addrport(Some("[::]:8001"), false, bind()),
            Ok(addr("[::]:8001"))
        );
        assert_eq!(
            parse_addrport(Some("localhost:8002"), false, bind()),
            Ok(Target::Host("localhost".into(), 8002))
        );
        let configured: SocketAddr = "0.0.0.0:7000".parse().unwrap();
        assert_eq!(
            parse_addrport(Some("7001"), false, configured),
            Ok(addr("0.0.0.0:7001"))
        );
    }

    #[test]
    fn django_address_errors() {
        for bad in [
            "abc",
            "1.2.3.4:",
            ":80",
            "1.2.3.4:x",
            "70000",
            "a b:80",
            "300.1.1.1:80",
        ] {
            assert_eq!(
                parse_addrport(Some(bad), false, bind()),
                Err(format!(
                    "\"{bad}\" is not a valid port number or address:port pair."
                )),
                "{bad}"
            );
        }
        assert_eq!(
            parse_addrport(Some("[zz]:80"), false, bind()),
            Err("\"zz\" is not a valid IPv6 address.".to_owned())
        );
        assert_eq!(
            parse_addrport(Some("1.2.3.4:80"), true, bind()),
            Err("\"1.2.3.4\" is not a valid IPv6 address.".to_owned())
        );
    }

    #[test]
    fn bind_errors_read_as_djangos() {
        let e = io::Error::from(io::ErrorKind::AddrInUse);
        assert_eq!(bind_error_text(&e), "That port is already in use.");
    }
}
