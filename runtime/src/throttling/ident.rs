//! Who an anonymous caller is: DRF's `get_ident`, and a trusted-proxies mode.
//!
//! Three policies ([`ClientIdentity`]):
//!
//! - **unset** (DRF's `NUM_PROXIES = None`, the default): the whole `X-Forwarded-For` header
//!   with every whitespace character removed when it is present and not empty, else the peer
//!   address. Any client can claim any identity this way: use it only behind a proxy that
//!   overwrites the header.
//! - **`NUM_PROXIES = n`** (DRF's): `0` means the peer address; `n > 0` takes the `n`-th
//!   address from the right of `X-Forwarded-For` (the leftmost one if there are fewer), or the
//!   peer address when the header is absent.
//! - **`TRUSTED_PROXIES = [CIDR, …]`** (recommended): when the peer is a trusted proxy, walk
//!   `X-Forwarded-For` from the right, skipping trusted addresses; the first untrusted one is
//!   the client (an entry that is not an address stops the walk and is the identity as
//!   written). When every hop is trusted, the leftmost address is the client. A peer that is not
//!   trusted is the client, whatever the header says.

use std::borrow::Cow;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use http::HeaderMap;

/// How the identity of an anonymous caller is found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ClientIdentity {
    /// DRF's default (`NUM_PROXIES` unset): all of `X-Forwarded-For`, else the peer.
    #[default]
    Drf,
    /// DRF's `NUM_PROXIES = n`.
    NumProxies(u32),
    /// Proxies whose `X-Forwarded-For` entries are believed.
    TrustedProxies(Vec<Cidr>),
}

/// An address range: `10.0.0.0/8`, `::1/128`, or a single address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// True when `ip` is in the range (IPv4-mapped IPv6 addresses count as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let bad = || format!("{s:?} is not an address or a CIDR range such as 10.0.0.0/8");
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let network = IpAddr::from_str(addr).map_err(|_| bad())?.to_canonical();
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(bad)?
            }
            Some(_) => return Err(bad()),
        };
        Ok(Self { network, prefix })
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

/// Parses a comma-separated list of CIDR ranges (`TRUSTED_PROXIES`).
pub fn parse_cidrs(list: &str) -> Result<Vec<Cidr>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(Cidr::from_str)
        .collect()
}

/// Python's `str.isspace()` for the characters a latin-1 decoded header can hold.
fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// The `X-Forwarded-For` value as Django sees it: repeated headers joined with `,`, bytes
/// decoded as latin-1 (WSGI's encoding of header values). `None` when absent.
fn forwarded_for(headers: &HeaderMap) -> Option<Cow<'_, str>> {
    let mut values = headers.get_all("x-forwarded-for").iter();
    let first = values.next()?;
    let mut out = latin1(first.as_bytes());
    for v in values {
        let joined = out.to_mut();
        joined.push(',');
        joined.push_str(&latin1(v.as_bytes()));
    }
    Some(out)
}

fn latin1(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) if s.is_ascii() => Cow::Borrowed(s),
        _ => Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
    }
}

/// Django's `REMOTE_ADDR`: the peer's IP address (empty when there is no socket).
fn remote_addr(peer: Option<SocketAddr>) -> Cow<'static, str> {
    match peer {
        Some(p) => Cow::Owned(p.ip().to_canonical().to_string()),
        None => Cow::Borrowed(""),
    }
}

impl ClientIdentity {
    /// The client as the failed-login limiter and the audit log count it: the address
    /// `TRUSTED_PROXIES` or `NUM_PROXIES` find, and without either, the peer's own address.
    /// DRF's throttles ([`ident`](Self::ident)) trust `X-Forwarded-For` as it is when neither
    /// is set; this does not, or a client could choose a new identity for every guess.
    pub fn client<'h>(&self, headers: &'h HeaderMap, peer: Option<SocketAddr>) -> Cow<'h, str> {
        match self {
            Self::Drf => Self::NumProxies(0).ident(headers, peer),
            configured => configured.ident(headers, peer),
        }
    }

    /// The identity of an anonymous caller (DRF's `BaseThrottle.get_ident`).
    pub fn ident<'h>(&self, headers: &'h HeaderMap, peer: Option<SocketAddr>) -> Cow<'h, str> {
        let xff = forwarded_for(headers);
        match self {
            Self::Drf => match xff {
                Some(x) if !x.is_empty() => {
                    if x.chars().any(is_python_space) {
                        Cow::Owned(x.chars().filter(|c| !is_python_space(*c)).collect())
                    } else {
                        x
                    }
                }
                _ => remote_addr(peer),
            },
            Self::NumProxies(0) => remote_addr(peer),
            Self::NumProxies(n) => match xff {
                None => remote_addr(peer),
                Some(x) => {
                    let addrs: Vec<&str> = x.split(',').collect();
                    let take = (*n as usize).min(addrs.len());
                    let client = addrs[addrs.len() - take].trim_matches(is_python_space);
                    Cow::Owned(client.to_owned())
                }
            },
            Self::TrustedProxies(trusted) => {
                let Some(peer_ip) = peer.map(|p| p.ip().to_canonical()) else {
                    return Cow::Borrowed("");
                };
                let is_trusted = |ip: IpAddr| trusted.iter().any(|c| c.contains(ip));
                if !is_trusted(peer_ip) {
                    return Cow::Owned(peer_ip.to_string());
                }
                let Some(x) = xff else {
                    return Cow::Owned(peer_ip.to_string());
                };
                let mut leftmost = None;
                for entry in x.rsplit(',').map(|e| e.trim_matches(is_python_space)) {
                    if entry.is_empty() {
                        continue;
                    }
                    match parse_hop(entry) {
                        Some(ip) if is_trusted(ip) => leftmost = Some(ip),
                        Some(ip) => return Cow::Owned(ip.to_string()),
                        None => return Cow::Owned(entry.to_owned()),
                    }
                }
                Cow::Owned(leftmost.unwrap_or(peer_ip).to_string())
            }
        }
    }
}

/// An `X-Forwarded-For` entry: an address, `ipv4:port` or `[ipv6]:port`.
fn parse_hop(entry: &str) -> Option<IpAddr> {
    IpAddr::from_str(entry)
        .ok()
        .or_else(|| SocketAddr::from_str(entry).ok().map(|s| s.ip()))
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &[&[u8]]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", http::HeaderValue::from_bytes(v).unwrap());
        }
        h
    }

    fn peer(s: &str) -> Option<SocketAddr> {
        Some(SocketAddr::new(s.parse().unwrap(), 5000))
    }

    #[test]
    fn drf_default_takes_the_whole_header_without_whitespace() {
        let id = ClientIdentity::Drf;
        assert_eq!(id.ident(&headers(&[]), peer("10.0.0.1")), "10.0.0.1");
        assert_eq!(
            id.ident(&headers(&[b"203.0.113.7"]), peer("10.0.0.1")),
            "203.0.113.7"
        );
        assert_eq!(
            id.ident(&headers(&[b" 1.2.3.4,  5.6.7.8\t"]), peer("10.0.0.1")),
            "1.2.3.4,5.6.7.8"
        );
        assert_eq!(
            id.ident(&headers(&[b"1.2.3.4", b"5.6.7.8"]), peer("10.0.0.1")),
            "1.2.3.4,5.6.7.8"
        );
        assert_eq!(id.ident(&headers(&[b""]), peer("10.0.0.1")), "10.0.0.1");
        // latin-1 NBSP is whitespace to Python.
        assert_eq!(
            id.ident(&headers(&[b"1.2.3.4\xa0"]), peer("10.0.0.1")),
            "1.2.3.4"
        );
        assert_eq!(id.ident(&headers(&[]), None), "");
        assert_eq!(id.ident(&headers(&[]), peer("::1")), "::1");
        assert_eq!(
            id.ident(&headers(&[]), peer("::ffff:192.0.2.1")),
            "192.0.2.1"
        );
    }

    #[test]
    fn num_proxies_counts_from_the_right() {
        let h = headers(&[b"1.1.1.1, 2.2.2.2 ,3.3.3.3"]);
        let p = peer("10.0.0.1");
        assert_eq!(ClientIdentity::NumProxies(0).ident(&h, p), "10.0.0.1");
        assert_eq!(ClientIdentity::NumProxies(1).ident(&h, p), "3.3.3.3");
        assert_eq!(ClientIdentity::NumProxies(2).ident(&h, p), "2.2.2.2");
        assert_eq!(ClientIdentity::NumProxies(3).ident(&h, p), "1.1.1.1");
        assert_eq!(ClientIdentity::NumProxies(9).ident(&h, p), "1.1.1.1");
        assert_eq!(
            ClientIdentity::NumProxies(1).ident(&headers(&[]), p),
            "10.0.0.1"
        );
        assert_eq!(ClientIdentity::NumProxies(1).ident(&headers(&[b""]), p), "");
    }

    #[test]
    fn trusted_proxies_walk_from_the_right() {
        let id = ClientIdentity::TrustedProxies(parse_cidrs("10.0.0.0/8, ::1").unwrap());
        // Untrusted peer: the header is ignored.
        assert_eq!(
            id.ident(&headers(&[b"6.6.6.6"]), peer("198.51.100.9")),
            "198.51.100.9"
        );
        // Trusted peer: the first untrusted hop from the right; spoofed entries to its left
        // are ignored.
        assert_eq!(
            id.ident(
                &headers(&[b"6.6.6.6, 203.0.113.5, 10.1.2.3"]),
                peer("10.0.0.1")
            ),
            "203.0.113.5"
        );
        assert_eq!(
            id.ident(&headers(&[b"203.0.113.5:4711"]), peer("::1")),
            "203.0.113.5"
        );
        // Every hop trusted: the leftmost.
        assert_eq!(
            id.ident(&headers(&[b"10.9.9.9, 10.1.1.1"]), peer("10.0.0.1")),
            "10.9.9.9"
        );
        assert_eq!(id.ident(&headers(&[]), peer("10.0.0.1")), "10.0.0.1");
        // Garbage where the client should be is the identity as written.
        assert_eq!(
            id.ident(&headers(&[b"1.2.3.4, unknown"]), peer("10.0.0.1")),
            "unknown"
        );
        assert_eq!(
            id.ident(&headers(&[b"1.2.3.4"]), peer("::ffff:10.0.0.1")),
            "1.2.3.4"
        );
    }

    #[test]
    fn cidrs_parse_and_match() {
        let c: Cidr = "192.168.0.0/16".parse().unwrap();
        assert!(c.contains("192.168.44.1".parse().unwrap()));
        assert!(!c.contains("192.169.0.1".parse().unwrap()));
        let all: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("8.8.8.8".parse().unwrap()));
        assert!(!all.contains("::2".parse().unwrap()));
        let v6: Cidr = "2001:db8::/32".parse().unwrap();
        assert!(v6.contains("2001:db8:1::5".parse().unwrap()));
        assert_eq!(v6.to_string(), "2001:db8::/32");
        for bad in ["10.0.0.0/33", "10.0.0/8", "x", "10.0.0.0/", "::/129"] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad}");
        }
        assert_eq!(parse_cidrs(" 10.0.0.0/8 ,, ").unwrap().len(), 1);
    }
}
