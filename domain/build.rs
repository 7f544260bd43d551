//! Builds the table of pinyin first letters the domain searches by (阿莫西林胶囊 → amxljn): one
//! byte per character of the CJK blocks U+3400–U+9FFF, the lowercase ASCII letter its first
//! reading starts with (a toned or other non-ASCII letter as its plain letter: ḿ → m, ê → e),
//! 0 for none. 27 KB in the binary instead of the pinyin crate's tables of every reading (what
//! a tablet downloads: issue 18).

use std::path::PathBuf;

use pinyin::ToPinyin;

/// The first and last characters in the table (CJK Extension A to the end of the Unified
/// Ideographs).
const FIRST: u32 = 0x3400;
const LAST: u32 = 0x9FFF;

/// A first letter as plain lowercase ASCII.
fn plain(letter: char) -> u8 {
    match letter {
        'a'..='z' => letter as u8,
        'A'..='Z' => letter.to_ascii_lowercase() as u8,
        'ā' | 'á' | 'ǎ' | 'à' => b'a',
        'ē' | 'é' | 'ě' | 'è' | 'ê' | 'ế' | 'ề' => b'e',
        'ō' | 'ó' | 'ǒ' | 'ò' => b'o',
        'ḿ' => b'm',
        'ń' | 'ň' | 'ǹ' => b'n',
        other => panic!("a pinyin reading starts with {other:?}: give it its plain letter"),
    }
}

fn main() {
    let table: Vec<u8> = (FIRST..=LAST)
        .map(|code| {
            char::from_u32(code)
                .and_then(|c| c.to_pinyin())
                .and_then(|py| py.first_letter().chars().next())
                .map_or(0, plain)
        })
        .collect();
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("initials.bin"), table).expect("OUT_DIR is writable");
    println!("cargo:rerun-if-changed=build.rs");
}
