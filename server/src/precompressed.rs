//! The client's files compressed ahead of time: `scripts/build-client.sh` writes `name.br`
//! (brotli, quality 11) and `name.gz` (gzip -9) beside each script, wasm and stylesheet, and
//! the server sends the best copy the request accepts as it is. A tablet behind the county's
//! TLS proxy then downloads brotli (a quarter smaller than gzip for the wasm), and the server
//! compresses nothing on the fly.

use axum::http::HeaderValue;

/// A compressed copy's encoding, in the order they are preferred.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
}

impl Encoding {
    pub const PREFERRED: [Encoding; 2] = [Encoding::Brotli, Encoding::Gzip];

    /// The `Content-Encoding` (and `Accept-Encoding`) token.
    pub fn token(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gzip",
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            Encoding::Brotli => ".br",
            Encoding::Gzip => ".gz",
        }
    }

    /// If `name` is a compressed copy, its encoding and the name of the file it is a copy of.
    pub fn copy_of(name: &str) -> Option<(Encoding, &str)> {
        Encoding::PREFERRED
            .into_iter()
            .find_map(|e| Some((e, name.strip_suffix(e.suffix())?)))
    }
}

/// Whether an `Accept-Encoding` value allows `encoding` (its token or `*`, with a quality
/// above zero; a token named with `q=0` is refused even when `*` is allowed).
pub fn accepts(accept: Option<&HeaderValue>, encoding: Encoding) -> bool {
    let Some(accept) = accept.and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let mut wildcard = false;
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let token = parts.next().unwrap_or_default().trim();
        let quality = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if token.eq_ignore_ascii_case(encoding.token()) {
            return quality > 0.0;
        }
        if token == "*" {
            wildcard = quality > 0.0;
        }
    }
    wildcard
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepts_str(accept: &str, encoding: Encoding) -> bool {
        accepts(Some(&HeaderValue::from_str(accept).unwrap()), encoding)
    }

    #[test]
    fn accept_encoding_is_read_with_its_qualities() {
        use Encoding::{Brotli, Gzip};
        assert!(accepts_str("gzip, deflate, br, zstd", Brotli));
        assert!(accepts_str("gzip, deflate, br, zstd", Gzip));
        assert!(!accepts_str("gzip, deflate", Brotli));
        assert!(accepts_str("GZIP", Gzip));
        assert!(!accepts_str("br;q=0, gzip", Brotli));
        assert!(accepts_str("br;q=0.5, gzip;q=1.0", Brotli));
        assert!(accepts_str("*", Brotli));
        assert!(!accepts_str("*, br;q=0", Brotli));
        assert!(!accepts_str("identity", Gzip));
        assert!(!accepts(None, Gzip));
    }

    #[test]
    fn a_copy_names_its_file() {
        assert_eq!(
            Encoding::copy_of("app-0123_bg.wasm.br"),
            Some((Encoding::Brotli, "app-0123_bg.wasm"))
        );
        assert_eq!(
            Encoding::copy_of("township/main.css.gz"),
            Some((Encoding::Gzip, "township/main.css"))
        );
        assert_eq!(Encoding::copy_of("index.html"), None);
    }
}
