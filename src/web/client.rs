//! Who is at the other end of a request: the client address that per-address limits
//! count against.
//!
//! The address is the socket's peer. Only when the peer is one of the configured
//! `trusted_proxies` is the `X-Forwarded-For` header believed: the client is the
//! rightmost address in it that is not itself a trusted proxy (each proxy appends the
//! address it received the request from, so anything to the left of that may have been
//! written by the client). Other forwarding headers (`X-Real-IP`, …) are never believed.

use std::net::IpAddr;

use rocket::Request;

use crate::config::Network;

/// The client address of `request` under the trusted proxies `trusted`.
pub fn client_address(request: &Request<'_>, trusted: &[Network]) -> Option<IpAddr> {
    let peer = request.remote()?.ip();
    let is_trusted = |address: IpAddr| trusted.iter().any(|network| network.contains(address));
    if !is_trusted(peer) {
        return Some(peer);
    }
    let forwarded: Vec<IpAddr> = request
        .headers()
        .get("X-Forwarded-For")
        .flat_map(|value| value.split(','))
        .filter_map(|part| part.trim().parse().ok())
        .collect();
    Some(
        forwarded
            .iter()
            .rev()
            .copied()
            .find(|address| !is_trusted(*address))
            .or_else(|| forwarded.first().copied())
            .unwrap_or(peer),
    )
}
