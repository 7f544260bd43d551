//! Headers every response carries: a Content-Security-Policy the app and its service worker
//! run under (scripts only from this server, plus the inline start-up scripts of the built
//! `index.html` of each build by their SHA-256, and WebAssembly compilation), no framing, no MIME sniffing, no
//! referrer; and `Cache-Control: no-store` on API answers (set in `api::router`).

use axum::http::HeaderValue;
use sha2::{Digest, Sha256};

/// The policy for a client whose pages (each build's `index.html`) are `pages` (none when no
/// client is built).
pub fn content_security_policy(pages: &[&[u8]]) -> HeaderValue {
    let mut hashes: Vec<String> = pages
        .iter()
        .flat_map(|page| {
            inline_scripts(&String::from_utf8_lossy(page))
                .iter()
                .map(|script| format!(" 'sha256-{}'", base64(&Sha256::digest(script.as_bytes()))))
                .collect::<Vec<_>>()
        })
        .collect();
    hashes.sort();
    hashes.dedup();
    let hashes = hashes.concat();
    let policy = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
         worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'self'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    HeaderValue::from_str(&policy).expect("the policy is ASCII")
}

/// The contents of the `<script>` elements without a `src`, exactly as written.
fn inline_scripts(html: &str) -> Vec<&str> {
    let mut scripts = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        let Some(close) = after.find("</script>") else {
            break;
        };
        if !after[..open_end].contains("src=") && open_end < close {
            scripts.push(&after[open_end + 1..close]);
        }
        rest = &after[close + "</script>".len()..];
    }
    scripts
}

/// Standard base64 with padding (what CSP hashes are written in).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_as_the_standard_says() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn inline_scripts_are_hashed_and_external_ones_are_not() {
        let html = "<head><script type=\"module\">import a;</script>\
                    <script src=\"/x.js\"></script><script>\n  go();\n</script></head>";
        assert_eq!(inline_scripts(html), ["import a;", "\n  go();\n"]);
        let policy = content_security_policy(&[html.as_bytes()]);
        let policy = policy.to_str().unwrap();
        assert_eq!(policy.matches("'sha256-").count(), 2);
        // A second page: its own script is added, one both have is named once.
        let other = "<script>\n  go();\n</script><script>other();</script>";
        let both = content_security_policy(&[html.as_bytes(), other.as_bytes()]);
        assert_eq!(both.to_str().unwrap().matches("'sha256-").count(), 3);
        assert!(policy.contains("frame-ancestors 'none'"));
    }
}
