//! Who a request came from: the TCP peer, or the client a trusted proxy forwarded for.

use std::sync::Arc;

use axum::extract::FromRef;

use crate::config::TrustedProxies;

/// The address a request came from, when the server knows it (not in in-process tests): the
/// TCP peer, or — when the peer is a trusted proxy (`CUNBAO_TRUSTED_PROXIES`) — the client it
/// forwarded for ([`TrustedProxies::client`]).
pub struct ClientAddress(pub Option<std::net::IpAddr>);

impl ClientAddress {
    /// The client of a request with these extensions and headers, seen through `proxies`.
    pub fn of(
        extensions: &axum::http::Extensions,
        headers: &axum::http::HeaderMap,
        proxies: &TrustedProxies,
    ) -> ClientAddress {
        ClientAddress(
            extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|info| proxies.client(info.0.ip(), headers)),
        )
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddress
where
    Arc<TrustedProxies>: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let proxies = Arc::<TrustedProxies>::from_ref(state);
        Ok(ClientAddress::of(
            &parts.extensions,
            &parts.headers,
            &proxies,
        ))
    }
}
