//! Configuration from environment variables, with defaults that run out of the box.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use crate::tokens::TokenPolicy;

#[derive(Debug, Clone)]
pub struct Config {
    /// `CUNBAO_BIND`, default `127.0.0.1:8080`.
    pub bind: SocketAddr,
    /// `CUNBAO_DATA_DIR`, default `./data`: holds the SQLite database file.
    pub data_dir: PathBuf,
    /// `CUNBAO_CLIENT_DIR`, default the workspace's `app/dist` (Trunk's output).
    pub client_dir: PathBuf,
    /// `DATABASE_URL` (`postgres://…`); unset: SQLite in the data directory.
    pub database_url: Option<String>,
    /// `CUNBAO_SAMPLE_DATA=1`: make sure the sample township and users exist.
    pub sample_data: bool,
    /// `CUNBAO_SAMPLE_RESIDENTS=N` (with sample data): N sample households per clinic enrolled
    /// for the scheme year under way, some with a visit settled (`./run.sh` asks for 150).
    pub sample_residents: Option<usize>,
    /// `CUNBAO_SYNTHETIC_CATALOGUE=N`: serve a deterministic N-item catalogue (benchmarks).
    pub synthetic_catalogue: Option<usize>,
    /// `CUNBAO_METRICS_ADDR` (e.g. `127.0.0.1:9464`): where `GET /metrics` is served; unset or
    /// empty: not served at all.
    pub metrics_addr: Option<SocketAddr>,
    /// `CUNBAO_TRUSTED_PROXIES` (e.g. `127.0.0.1,10.0.0.0/8`): the load balancers and reverse
    /// proxies whose `X-Forwarded-For` names the client; unset or empty: none (the header is
    /// ignored).
    pub trusted_proxies: TrustedProxies,
    /// `CUNBAO_TOKEN_DAYS` (default 30): how long a device token is accepted; and
    /// `CUNBAO_TOKEN_ROTATE_HOURS` (default 24): a sync with a token older than this renews it.
    pub tokens: TokenPolicy,
}

impl Config {
    pub fn from_env() -> Result<Config, String> {
        let bind = std::env::var("CUNBAO_BIND").unwrap_or_else(|_| "127.0.0.1:8080".into());
        let bind = bind.parse().map_err(|_| {
            format!(
                "CUNBAO_BIND 不是有效的地址 / CUNBAO_BIND is not a valid address: {bind:?} \
                 (expected host:port, e.g. 127.0.0.1:8080)"
            )
        })?;
        let data_dir = std::env::var_os("CUNBAO_DATA_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("data"));
        let client_dir = std::env::var_os("CUNBAO_CLIENT_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../app/dist")));
        let database_url = std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty());
        let sample_data = std::env::var("CUNBAO_SAMPLE_DATA").is_ok_and(|v| v == "1");
        let sample_residents = std::env::var("CUNBAO_SAMPLE_RESIDENTS")
            .ok()
            .and_then(|n| n.parse().ok());
        let synthetic_catalogue = std::env::var("CUNBAO_SYNTHETIC_CATALOGUE")
            .ok()
            .and_then(|n| n.parse().ok());
        let metrics_addr = match std::env::var("CUNBAO_METRICS_ADDR") {
            Ok(addr) if !addr.trim().is_empty() => Some(addr.trim().parse().map_err(|_| {
                format!(
                    "CUNBAO_METRICS_ADDR 不是有效的地址 / CUNBAO_METRICS_ADDR is not a valid \
                     address: {addr:?} (expected host:port, e.g. 127.0.0.1:9464)"
                )
            })?),
            _ => None,
        };
        let trusted_proxies = match std::env::var("CUNBAO_TRUSTED_PROXIES") {
            Ok(list) => TrustedProxies::parse(&list)?,
            Err(_) => TrustedProxies::default(),
        };
        let tokens = token_policy(
            std::env::var("CUNBAO_TOKEN_DAYS").ok().as_deref(),
            std::env::var("CUNBAO_TOKEN_ROTATE_HOURS").ok().as_deref(),
        )?;
        Ok(Config {
            tokens,
            bind,
            data_dir,
            client_dir,
            database_url,
            sample_data,
            sample_residents,
            synthetic_catalogue,
            metrics_addr,
            trusted_proxies,
        })
    }
}

/// The token policy from `CUNBAO_TOKEN_DAYS` and `CUNBAO_TOKEN_ROTATE_HOURS` (unset or empty:
/// the defaults): whole numbers, the rotation interval shorter than the lifetime.
fn token_policy(days: Option<&str>, rotate_hours: Option<&str>) -> Result<TokenPolicy, String> {
    let number = |name: &str, value: Option<&str>, default: i64, max: i64| match value
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        None => Ok(default),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| {
                format!(
                    "{name} 须为1至{max}的整数 / {name} must be a whole number from 1 to {max}: \
                     {v:?}"
                )
            }),
    };
    let days = number("CUNBAO_TOKEN_DAYS", days, crate::tokens::DEFAULT_DAYS, 3650)?;
    let hours = number(
        "CUNBAO_TOKEN_ROTATE_HOURS",
        rotate_hours,
        crate::tokens::DEFAULT_ROTATE_HOURS.min(days * 24 / 2),
        87_600,
    )?;
    if hours >= days * 24 {
        return Err(format!(
            "CUNBAO_TOKEN_ROTATE_HOURS 须短于 CUNBAO_TOKEN_DAYS / CUNBAO_TOKEN_ROTATE_HOURS \
             ({hours}) must be shorter than CUNBAO_TOKEN_DAYS ({days} days)"
        ));
    }
    Ok(TokenPolicy {
        lifetime: chrono::Duration::days(days),
        rotate_after: chrono::Duration::hours(hours),
    })
}

/// The proxies (load balancers, TLS-terminating reverse proxies) whose `X-Forwarded-For` is
/// believed: single addresses and CIDR ranges. Empty by default: nobody's header is believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    ranges: Vec<IpRange>,
}

impl TrustedProxies {
    /// A comma-separated list of IP addresses and CIDR ranges (`127.0.0.1,10.0.0.0/8,fd00::/8`);
    /// blank entries are skipped; any other entry that is not one is an error naming it.
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        let ranges = list
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                IpRange::parse(entry).map_err(|why| {
                    format!(
                        "CUNBAO_TRUSTED_PROXIES 中有无效的地址或网段 / CUNBAO_TRUSTED_PROXIES has \
                         an invalid entry: {entry:?}: {why} (expected IP addresses or CIDR \
                         ranges separated by commas, e.g. 127.0.0.1,10.0.0.0/8)"
                    )
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(TrustedProxies { ranges })
    }

    /// No proxy is trusted.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The client a request came from, seen from `peer` (the TCP peer) and its headers: when
    /// the peer is a trusted proxy, the right-most address in `X-Forwarded-For` that is not
    /// itself a trusted proxy (walking from the right; at an entry that is not an address the
    /// walk stops at the last good hop, or the peer). When the peer is not trusted its
    /// `X-Forwarded-For` is ignored: a client cannot choose the address it is counted as.
    pub fn client(&self, peer: IpAddr, headers: &axum::http::HeaderMap) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.contains(peer) {
            return client;
        }
        // Several header lines are one list, in order.
        for line in headers.get_all("x-forwarded-for").iter().rev() {
            let Ok(line) = line.to_str() else {
                return client;
            };
            for hop in line.rsplit(',') {
                let Some(hop) = parse_hop(hop) else {
                    return client;
                };
                client = hop;
                if !self.contains(hop) {
                    return client;
                }
            }
        }
        client
    }

    /// Whether `address` is one of the trusted proxies (an IPv4 address written as IPv6,
    /// `::ffff:10.0.0.1`, is also matched as the IPv4 one).
    pub fn contains(&self, address: IpAddr) -> bool {
        let canonical = address.to_canonical();
        self.ranges
            .iter()
            .any(|range| range.contains(address) || range.contains(canonical))
    }
}

/// The list as it could be written in `CUNBAO_TRUSTED_PROXIES` (for the log).
impl std::fmt::Display for TrustedProxies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, range) in self.ranges.iter().enumerate() {
            let separator = if i == 0 { "" } else { "," };
            let bits = if range.network.is_ipv4() { 32 } else { 128 };
            if range.prefix == bits {
                write!(f, "{separator}{}", range.network)?;
            } else {
                write!(f, "{separator}{}/{}", range.network, range.prefix)?;
            }
        }
        Ok(())
    }
}

/// One entry of `X-Forwarded-For`: an address, possibly with a port (`203.0.113.7`,
/// `203.0.113.7:4711`, `[2001:db8::7]:4711`), IPv4 written as IPv6 taken as IPv4.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    let address = hop
        .parse::<IpAddr>()
        .or_else(|_| hop.parse::<SocketAddr>().map(|a| a.ip()))
        .ok()?;
    Some(address.to_canonical())
}

/// An address range in CIDR notation: a network address and a prefix length (`10.0.0.0/8`,
/// `fd00::/8`); a single address is a range of one (`/32`, `/128`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct IpRange {
    network: IpAddr,
    prefix: u32,
}

impl IpRange {
    /// One entry of the list, or why not (in English, inside the bilingual message).
    fn parse(entry: &str) -> Result<IpRange, &'static str> {
        let (address, prefix) = match entry.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (entry, None),
        };
        let network: IpAddr = address
            .trim()
            .parse()
            .map_err(|_| "not an IP address (host names are not resolved)")?;
        let bits = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix.map(str::trim) {
            None => bits,
            Some(p) if !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) => {
                match p.parse::<u32>() {
                    Ok(p) if p <= bits => p,
                    _ => return Err("the prefix length is over 32 (IPv4) or 128 (IPv6)"),
                }
            }
            Some(_) => return Err("the prefix length after / is not a number"),
        };
        let range = IpRange { network, prefix };
        if range.masked() != network {
            return Err(
                "the address has bits set past the prefix length (write the network's first \
                 address, e.g. 10.0.0.0/8)",
            );
        }
        Ok(range)
    }

    /// The network address with the bits past the prefix cleared.
    fn masked(&self) -> IpAddr {
        match self.network {
            IpAddr::V4(a) => IpAddr::V4((u32::from(a) & mask_v4(self.prefix)).into()),
            IpAddr::V6(a) => IpAddr::V6((u128::from(a) & mask_v6(self.prefix)).into()),
        }
    }

    fn contains(&self, address: IpAddr) -> bool {
        match (self.network, address) {
            (IpAddr::V4(net), IpAddr::V4(a)) => {
                (u32::from(a) ^ u32::from(net)) & mask_v4(self.prefix) == 0
            }
            (IpAddr::V6(net), IpAddr::V6(a)) => {
                (u128::from(a) ^ u128::from(net)) & mask_v6(self.prefix) == 0
            }
            _ => false,
        }
    }
}

/// The top `prefix` bits set (`prefix` ≤ 32).
fn mask_v4(prefix: u32) -> u32 {
    u32::MAX.checked_shl(32 - prefix).unwrap_or(0)
}

/// The top `prefix` bits set (`prefix` ≤ 128).
fn mask_v6(prefix: u32) -> u128 {
    u128::MAX.checked_shl(128 - prefix).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn token_lifetime_and_rotation_from_the_environment() {
        assert_eq!(token_policy(None, None), Ok(TokenPolicy::default()));
        assert_eq!(
            token_policy(Some(" "), Some("")),
            Ok(TokenPolicy::default())
        );
        let week = token_policy(Some("7"), Some("12")).unwrap();
        assert_eq!(week.lifetime, chrono::Duration::days(7));
        assert_eq!(week.rotate_after, chrono::Duration::hours(12));
        // A one-day lifetime renews twice a day unless told otherwise.
        let day = token_policy(Some("1"), None).unwrap();
        assert_eq!(day.rotate_after, chrono::Duration::hours(12));
        for (days, hours) in [("0", ""), ("x", ""), ("-3", ""), ("2", "48"), ("30", "0")] {
            let err = token_policy(Some(days), Some(hours)).unwrap_err();
            assert!(err.contains("CUNBAO_TOKEN_"), "{err}");
        }
    }

    #[test]
    fn unset_or_blank_trusts_nobody() {
        for list in ["", " ", ",", " , "] {
            let proxies = TrustedProxies::parse(list).unwrap();
            assert!(proxies.is_empty());
            assert!(!proxies.contains(ip("127.0.0.1")));
        }
        assert!(!TrustedProxies::default().contains(ip("::1")));
    }

    #[test]
    fn a_list_of_addresses_and_ranges() {
        let proxies = TrustedProxies::parse(" 127.0.0.1, 10.0.0.0/8 ,::1,").unwrap();
        assert_eq!(proxies.to_string(), "127.0.0.1,10.0.0.0/8,::1");
        assert!(proxies.contains(ip("127.0.0.1")));
        assert!(!proxies.contains(ip("127.0.0.2")));
        assert!(proxies.contains(ip("::1")));
        assert!(proxies.contains(ip("10.0.0.0")));
        assert!(proxies.contains(ip("10.200.3.4")));
        assert!(proxies.contains(ip("10.255.255.255")));
        assert!(!proxies.contains(ip("11.0.0.0")));
        assert!(!proxies.contains(ip("9.255.255.255")));
        assert!(!proxies.contains(ip("203.0.113.7")));
        // An IPv4 peer seen by a dual-stack listener.
        assert!(proxies.contains(ip("::ffff:10.1.2.3")));
        assert!(!proxies.contains(ip("::ffff:11.1.2.3")));
        // IPv4 ranges never match IPv6 addresses that merely share bits.
        assert!(!proxies.contains(ip("a00::1")));
    }

    #[test]
    fn cidr_v4() {
        let proxies = TrustedProxies::parse("192.168.16.0/20,172.16.5.4/32").unwrap();
        assert!(proxies.contains(ip("192.168.16.0")));
        assert!(proxies.contains(ip("192.168.31.255")));
        assert!(!proxies.contains(ip("192.168.32.0")));
        assert!(!proxies.contains(ip("192.168.15.255")));
        assert!(proxies.contains(ip("172.16.5.4")));
        assert!(!proxies.contains(ip("172.16.5.5")));
        let everyone = TrustedProxies::parse("0.0.0.0/0").unwrap();
        assert!(everyone.contains(ip("1.2.3.4")));
        assert!(everyone.contains(ip("255.255.255.255")));
        assert!(!everyone.contains(ip("::2")));
    }

    #[test]
    fn cidr_v6() {
        let proxies = TrustedProxies::parse("fd00::/8, 2001:db8:1::/48, 2001:db8::7/128").unwrap();
        assert!(proxies.contains(ip("fd12:3456::1")));
        assert!(proxies.contains(ip("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")));
        assert!(!proxies.contains(ip("fe00::1")));
        assert!(!proxies.contains(ip("fc00::1")));
        assert!(proxies.contains(ip("2001:db8:1:ffff::9")));
        assert!(!proxies.contains(ip("2001:db8:2::9")));
        assert!(proxies.contains(ip("2001:db8::7")));
        assert!(!proxies.contains(ip("2001:db8::8")));
        assert!(!proxies.contains(ip("253.0.0.1")));
        assert!(TrustedProxies::parse("::/0")
            .unwrap()
            .contains(ip("2001:db8::1")));
    }

    fn forwarded(lines: &[&str]) -> axum::http::HeaderMap {
        let mut headers = axum::http::HeaderMap::new();
        for line in lines {
            headers.append("x-forwarded-for", line.parse().unwrap());
        }
        headers
    }

    #[test]
    fn the_client_behind_trusted_proxies() {
        let proxies = TrustedProxies::parse("127.0.0.1,10.0.0.0/8,fd00::/8").unwrap();
        let client = |peer: &str, lines: &[&str]| proxies.client(ip(peer), &forwarded(lines));
        // The right-most hop that is not a proxy.
        assert_eq!(client("10.0.0.1", &["203.0.113.7"]), ip("203.0.113.7"));
        assert_eq!(
            client("127.0.0.1", &["198.51.100.1, 203.0.113.7, 10.0.0.2"]),
            ip("203.0.113.7")
        );
        assert_eq!(
            client(
                "10.0.0.1",
                &["198.51.100.1, 203.0.113.7", "10.0.0.3 , 10.0.0.2"]
            ),
            ip("203.0.113.7")
        );
        assert_eq!(client("fd00::5", &["2001:db8::7"]), ip("2001:db8::7"));
        assert_eq!(client("10.0.0.1", &["203.0.113.7:4711"]), ip("203.0.113.7"));
        assert_eq!(
            client("10.0.0.1", &["[2001:db8::7]:4711"]),
            ip("2001:db8::7")
        );
        assert_eq!(
            client("::ffff:10.0.0.1", &["::ffff:203.0.113.7"]),
            ip("203.0.113.7")
        );
        // No header, or only proxies in it: the last good hop.
        assert_eq!(client("10.0.0.1", &[]), ip("10.0.0.1"));
        assert_eq!(client("10.0.0.1", &["10.0.0.2, 10.0.0.3"]), ip("10.0.0.2"));
        // A malformed entry stops the walk at the last good hop, or the peer.
        assert_eq!(client("10.0.0.1", &["unknown"]), ip("10.0.0.1"));
        assert_eq!(client("10.0.0.1", &[""]), ip("10.0.0.1"));
        assert_eq!(
            client("10.0.0.1", &["203.0.113.7, garbage, 10.0.0.2"]),
            ip("10.0.0.2")
        );
        assert_eq!(
            client("10.0.0.1", &["203.0.113.7, 10.0.0.2,"]),
            ip("10.0.0.1")
        );
        // An untrusted peer's header is ignored entirely.
        assert_eq!(client("203.0.113.9", &["198.51.100.1"]), ip("203.0.113.9"));
        assert_eq!(client("11.0.0.1", &["10.0.0.2"]), ip("11.0.0.1"));
        // Nobody trusted: always the peer.
        let nobody = TrustedProxies::default();
        assert_eq!(
            nobody.client(ip("127.0.0.1"), &forwarded(&["203.0.113.7"])),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn a_bad_entry_is_named() {
        for (list, bad) in [
            ("127.0.0.1,proxy.example", "\"proxy.example\""),
            ("10.0.0.0/33", "\"10.0.0.0/33\""),
            ("fd00::/129", "\"fd00::/129\""),
            ("10.0.0.0/", "\"10.0.0.0/\""),
            ("10.0.0.0/x", "\"10.0.0.0/x\""),
            ("10.0.0.0/+8", "\"10.0.0.0/+8\""),
            ("10.0.0.1/8", "\"10.0.0.1/8\""),
            ("fd00::1/8", "\"fd00::1/8\""),
            ("10.0.0.0/8/8", "\"10.0.0.0/8/8\""),
            ("127.0.0.1:80", "\"127.0.0.1:80\""),
            ("10.0.0", "\"10.0.0\""),
        ] {
            let err = TrustedProxies::parse(list).unwrap_err();
            assert!(err.contains("CUNBAO_TRUSTED_PROXIES"), "{err}");
            assert!(err.contains("无效"), "{err}");
            assert!(err.contains(bad), "{list}: {err}");
        }
    }
}
