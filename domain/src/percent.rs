//! Percent-encoding (RFC 3986) of a value put in a URL path segment or query.

/// Everything but unreserved characters percent-encoded, byte by byte of the UTF-8.
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_unreserved_characters_stay() {
        assert_eq!(
            super::encode("a b&c=d/é+1.0~_-"),
            "a%20b%26c%3Dd%2F%C3%A9%2B1.0~_-"
        );
    }
}
