//! IP networks in settings (`trusted_proxies`): one address, or an address and a prefix
//! length (`10.0.0.0/8`, `fd00::/8`).

use std::net::IpAddr;

/// An IP network: every address sharing the first `prefix` bits with `address`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    address: IpAddr,
    prefix: u8,
}

impl Network {
    /// Parses `a.b.c.d`, `a.b.c.d/n`, an IPv6 address, or an IPv6 address with `/n`.
    pub fn parse(text: &str) -> Option<Network> {
        let text = text.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix.parse::<u8>().ok()?)),
            None => (text, None),
        };
        let address: IpAddr = address.parse().ok()?;
        let bits = if address.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(bits);
        (prefix <= bits).then_some(Network { address, prefix })
    }

    /// Whether `candidate` is in this network. An IPv4 address written as IPv6
    /// (`::ffff:a.b.c.d`) is compared as IPv4.
    pub fn contains(&self, candidate: IpAddr) -> bool {
        let candidate = match candidate {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(candidate, IpAddr::V4),
            v4 => v4,
        };
        match (self.address, candidate) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => prefix_matches(
                u128::from(u32::from(net)),
                u128::from(u32::from(ip)),
                self.prefix,
                32,
            ),
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                prefix_matches(u128::from(net), u128::from(ip), self.prefix, 128)
            }
            _ => false,
        }
    }
}

fn prefix_matches(network: u128, address: u128, prefix: u8, bits: u32) -> bool {
    let host_bits = bits - u32::from(prefix);
    if host_bits >= bits {
        return true;
    }
    (network >> host_bits) == (address >> host_bits)
}

#[cfg(test)]
mod tests {
    use super::Network;

    #[test]
    fn networks_parse_and_match() {
        let lan = Network::parse("10.0.0.0/8").unwrap();
        assert!(lan.contains("10.20.30.40".parse().unwrap()));
        assert!(!lan.contains("11.0.0.1".parse().unwrap()));
        assert!(lan.contains("::ffff:10.1.2.3".parse().unwrap()));
        let one = Network::parse("127.0.0.1").unwrap();
        assert!(one.contains("127.0.0.1".parse().unwrap()));
        assert!(!one.contains("127.0.0.2".parse().unwrap()));
        let all = Network::parse("0.0.0.0/0").unwrap();
        assert!(all.contains("203.0.113.9".parse().unwrap()));
        let v6 = Network::parse("fd00::/8").unwrap();
        assert!(v6.contains("fd12::1".parse().unwrap()));
        assert!(!v6.contains("fe80::1".parse().unwrap()));
        for bad in ["", "10.0.0.0/33", "::/129", "host.example", "10.0.0.0/x"] {
            assert!(Network::parse(bad).is_none(), "{bad}");
        }
    }
}
