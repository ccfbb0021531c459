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

/// The client address of a request as a request guard, under the configured trusted
/// proxies; `None` only when the socket's peer is unknown (Rocket's local test client).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub Option<IpAddr>);

#[rocket::async_trait]
impl<'r> rocket::request::FromRequest<'r> for ClientAddress {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> rocket::request::Outcome<Self, Self::Error> {
        let trusted = request
            .rocket()
            .state::<crate::app::App>()
            .map(|app| app.config.trusted_proxy_networks())
            .unwrap_or_default();
        rocket::request::Outcome::Success(ClientAddress(client_address(request, &trusted)))
    }
}
