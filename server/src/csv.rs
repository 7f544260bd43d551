//! CSV files for people to open in Excel or WPS: UTF-8 with a byte-order mark (so Chinese
//! opens as Chinese), CRLF line ends, fields quoted by RFC 4180 where they need it, and text
//! that a spreadsheet would run as a formula made inert.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// A CSV file being written, row by row.
#[derive(Debug, Default)]
pub struct Csv {
    body: String,
}

impl Csv {
    pub fn new() -> Csv {
        Csv {
            body: "\u{feff}".to_string(),
        }
    }

    /// Appends one row; each field is quoted as it needs.
    pub fn row<I, S>(&mut self, fields: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut first = true;
        for field in fields {
            if !first {
                self.body.push(',');
            }
            first = false;
            self.body.push_str(&quote(field.as_ref()));
        }
        self.body.push_str("\r\n");
    }

    /// The file as a download named `filename` (ASCII: letters, digits, `-`, `_`, `.`).
    pub fn download(self, filename: &str) -> Response {
        debug_assert!(filename
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)));
        (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{filename}\""),
                ),
            ],
            self.body,
        )
            .into_response()
    }

    pub fn as_str(&self) -> &str {
        &self.body
    }
}

/// A field as RFC 4180 writes it: in double quotes, with quotes doubled, when it holds a
/// comma, a quote, a line break or leading or trailing space.
pub fn quote(field: &str) -> String {
    let needs = field.contains([',', '"', '\r', '\n'])
        || field.starts_with([' ', '\t'])
        || field.ends_with([' ', '\t']);
    if needs {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

/// Text that came from people or tablets (names, record numbers): a leading `=`, `+`, `-` or
/// `@` would make a spreadsheet run it as a formula, so it is shown after an apostrophe.
/// Amounts are written as they are (a negative amount is a number, not a formula).
pub fn text(field: &str) -> String {
    if field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{field}")
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_where_they_need_it() {
        assert_eq!(quote("李家村卫生室"), "李家村卫生室");
        assert_eq!(quote("12.50"), "12.50");
        assert_eq!(quote("a,b"), "\"a,b\"");
        assert_eq!(quote("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(quote("two\nlines"), "\"two\nlines\"");
        assert_eq!(quote(" padded"), "\" padded\"");
        assert_eq!(quote(""), "");
    }

    #[test]
    fn a_file_has_a_bom_and_crlf_rows() {
        let mut csv = Csv::new();
        csv.row(["卫生室", "金额"]);
        csv.row(["a,b".to_string(), "-1.00".to_string()]);
        assert_eq!(csv.as_str(), "\u{feff}卫生室,金额\r\n\"a,b\",-1.00\r\n");
    }

    #[test]
    fn formulas_are_made_inert() {
        assert_eq!(text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(text("-2+3"), "'-2+3");
        assert_eq!(text("c-1"), "c-1");
    }
}
