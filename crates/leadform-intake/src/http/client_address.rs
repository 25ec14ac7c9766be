//! Which address a request comes from: the socket peer, or, when the peer is one of the
//! operator's own proxies (`--trusted-proxy CIDR`), the address that proxy saw.
//!
//! `X-Forwarded-For` is read from the right: each trusted proxy appends the address it received
//! the request from, so the first entry from the right that is not a trusted proxy is the client.
//! Everything left of it was written by the client and can be anything it likes. A peer that is
//! not a trusted proxy is the client, whatever headers it sends.

use axum::http::HeaderMap;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
#[error(
    "`{0}` is not an IP network: write an address with a prefix length, like 10.0.0.0/8, \
     192.0.2.7/32 or 2001:db8::/32"
)]
pub struct BadTrustedProxy(String);

/// One `--trusted-proxy` value: a network in CIDR form, or a single address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustedProxy(IpNet);

impl FromStr for TrustedProxy {
    type Err = BadTrustedProxy;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let network = match text.parse::<IpNet>() {
            Ok(network) => network.trunc(),
            Err(_) => text
                .parse::<IpAddr>()
                .map(IpNet::from)
                .map_err(|_| BadTrustedProxy(text.to_owned()))?,
        };
        Ok(TrustedProxy(network))
    }
}

/// The operator's proxies. Empty (the default): `X-Forwarded-For` is never read.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn new(proxies: impl IntoIterator<Item = TrustedProxy>) -> Self {
        Self(proxies.into_iter().map(|proxy| proxy.0).collect())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|network| network.contains(&ip))
    }

    /// The address a request is counted and stored against.
    pub fn client_ip(&self, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = canonical(peer.ip());
        if !self.contains(client) {
            return client;
        }
        // Several header lines are one comma-separated list, in order (RFC 9110 §5.3).
        let lines: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .map(|value| value.to_str().unwrap_or(""))
            .collect();
        for entry in lines.iter().rev().flat_map(|line| line.rsplit(',')) {
            // An entry our proxy did not write in a form we read: stop at the last hop we trust,
            // rather than believe whatever is further left.
            let Ok(ip) = entry.trim().parse::<IpAddr>() else {
                break;
            };
            client = canonical(ip);
            if !self.contains(client) {
                break;
            }
        }
        client
    }
}

/// IPv4 as itself, also when a dual-stack socket reports it as `::ffff:a.b.c.d`.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(networks: &[&str]) -> TrustedProxies {
        TrustedProxies::new(networks.iter().map(|n| n.parse().unwrap()))
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", value.parse().unwrap());
        }
        headers
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn a_peer_that_is_not_a_trusted_proxy_is_the_client_whatever_it_forwards() {
        let peer: SocketAddr = "198.51.100.20:5000".parse().unwrap();
        let headers = forwarded(&["203.0.113.9"]);
        assert_eq!(proxies(&[]).client_ip(peer, &headers), peer.ip());
        assert_eq!(
            proxies(&["10.0.0.0/8", "2001:db8::/32"]).client_ip(peer, &headers),
            peer.ip()
        );
    }

    #[test]
    fn a_trusted_proxy_counts_the_rightmost_address_it_did_not_write_itself() {
        let peer: SocketAddr = "10.0.0.5:5000".parse().unwrap();
        let trusted = proxies(&["10.0.0.0/8"]);
        // The client wrote `1.2.3.4`; the proxy appended the address it really saw.
        let headers = forwarded(&["1.2.3.4, 198.51.100.7 , 203.0.113.9"]);
        assert_eq!(trusted.client_ip(peer, &headers), ip("203.0.113.9"));
        // Two proxies of ours in a row: the inner one's entry is skipped.
        let headers = forwarded(&["1.2.3.4, 203.0.113.9, 10.1.2.3"]);
        assert_eq!(trusted.client_ip(peer, &headers), ip("203.0.113.9"));
        // A second header line continues the list: its last entry is the rightmost.
        let headers = forwarded(&["1.2.3.4", "2001:db8::1"]);
        assert_eq!(trusted.client_ip(peer, &headers), ip("2001:db8::1"));
        // No header: the proxy itself.
        assert_eq!(trusted.client_ip(peer, &HeaderMap::new()), peer.ip());
        // An entry we cannot read stops the walk at the last trusted hop.
        let headers = forwarded(&["203.0.113.9, 10.1.2.3, unknown"]);
        assert_eq!(trusted.client_ip(peer, &headers), peer.ip());
    }

    #[test]
    fn ipv6_networks_and_ipv4_mapped_peers_are_matched() {
        let trusted = proxies(&["2001:db8:aa::/48", "192.0.2.7"]);
        let headers = forwarded(&["203.0.113.9"]);
        let v6_peer: SocketAddr = "[2001:db8:aa:1::9]:443".parse().unwrap();
        assert_eq!(trusted.client_ip(v6_peer, &headers), ip("203.0.113.9"));
        let mapped_peer: SocketAddr = "[::ffff:192.0.2.7]:443".parse().unwrap();
        assert_eq!(trusted.client_ip(mapped_peer, &headers), ip("203.0.113.9"));
        let outside: SocketAddr = "[2001:db8:ab::1]:443".parse().unwrap();
        assert_eq!(trusted.client_ip(outside, &headers), outside.ip());
    }

    #[test]
    fn a_bad_network_is_refused_with_an_example() {
        for bad in ["10.0.0.0/33", "10.0.0", "localhost", "2001:db8::/129", ""] {
            let error = bad.parse::<TrustedProxy>().unwrap_err().to_string();
            assert!(error.contains(&format!("`{bad}`")), "{error}");
            assert!(error.contains("10.0.0.0/8"), "{error}");
        }
        assert_eq!(
            "10.1.2.3/8".parse::<TrustedProxy>().unwrap(),
            "10.0.0.0/8".parse::<TrustedProxy>().unwrap()
        );
    }
}
