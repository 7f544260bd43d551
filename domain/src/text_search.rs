//! Finding, among many short texts (names, codes, pinyin initials), those that contain or start
//! with what was typed — fast enough to run on every keystroke over a whole catalogue on a slow
//! tablet.
//!
//! A list's texts are kept end to end in one string and searched in one pass with a substring
//! searcher, instead of visiting every record.

use memchr::memmem;

/// Separates the texts; a needle containing it finds nothing (search boxes cannot type it).
const SEPARATOR: char = '\n';

/// Ascending indices of texts, each once.
pub type Hits<'a> = Box<dyn Iterator<Item = usize> + 'a>;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Haystack {
    text: String,
    /// Byte offset where each text starts.
    starts: Vec<u32>,
}

impl Haystack {
    pub fn new<'a>(texts: impl IntoIterator<Item = &'a str>) -> Haystack {
        let mut haystack = Haystack::default();
        for text in texts {
            haystack.starts.push(haystack.text.len() as u32);
            // A separator inside a text would join it to the next; it cannot be searched for.
            haystack
                .text
                .extend(text.chars().filter(|&c| c != SEPARATOR));
            haystack.text.push(SEPARATOR);
        }
        haystack
    }

    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// The texts that contain `needle`.
    pub fn containing<'a>(&'a self, needle: &'a str) -> Hits<'a> {
        Box::new(self.hits(needle).map(|(index, _)| index).dedup())
    }

    /// The texts that start with `needle`: found as the separator followed by `needle`.
    pub fn starting_with<'a>(&'a self, needle: &'a str) -> Hits<'a> {
        if !Self::searchable(needle) {
            return Box::new(std::iter::empty());
        }
        let text = self.text.as_bytes();
        let first = text.starts_with(needle.as_bytes()).then_some(0);
        let finder = memmem::Finder::new(&format!("{SEPARATOR}{needle}")).into_owned();
        let mut from = 0;
        let others = std::iter::from_fn(move || {
            let at = from + finder.find(&text[from..])? + 1;
            from = at;
            Some(self.index_at(at))
        });
        Box::new(first.into_iter().chain(others))
    }

    /// Every occurrence of `needle`: (index of the text, byte offset in `text`).
    fn hits<'a>(&'a self, needle: &'a str) -> impl Iterator<Item = (usize, usize)> + 'a {
        Self::searchable(needle)
            .then(|| memmem::find_iter(self.text.as_bytes(), needle.as_bytes()))
            .into_iter()
            .flatten()
            .map(|at| (self.index_at(at), at))
    }

    /// The text that byte `at` of `text` belongs to.
    fn index_at(&self, at: usize) -> usize {
        self.starts.partition_point(|&s| s as usize <= at) - 1
    }

    fn searchable(needle: &str) -> bool {
        !needle.is_empty() && !needle.contains(SEPARATOR)
    }
}

/// The first `limit` indices found by any of `searches`, ascending, each once. Each search is
/// run only as far as needed.
pub fn first_found(searches: Vec<Hits<'_>>, limit: usize) -> Vec<usize> {
    let mut searches: Vec<_> = searches.into_iter().map(Iterator::peekable).collect();
    let mut found: Vec<usize> = Vec::new();
    while found.len() < limit {
        let Some(next) = searches.iter_mut().filter_map(|s| s.peek().copied()).min() else {
            break;
        };
        for search in &mut searches {
            search.next_if_eq(&next);
        }
        found.push(next);
    }
    found
}

/// Drops an index repeated right after itself.
trait Dedup: Iterator<Item = usize> + Sized {
    fn dedup(self) -> impl Iterator<Item = usize> {
        let mut last = None;
        self.filter(move |&i| last.replace(i) != Some(i))
    }
}

impl<I: Iterator<Item = usize>> Dedup for I {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn finds_texts_containing_or_starting_with_the_needle() {
        let h = Haystack::new(["王秀兰", "李建国", "王建", "秀秀"]);
        let all = |hits: Hits| hits.collect::<Vec<_>>();
        assert_eq!(all(h.containing("秀")), [0, 3]);
        assert_eq!(all(h.starting_with("秀")), [3]);
        assert_eq!(all(h.starting_with("王")), [0, 2]);
        assert_eq!(all(h.containing("兰李")), Vec::<usize>::new());
        assert_eq!(all(h.containing("兰\n李")), Vec::<usize>::new());
        assert_eq!(all(h.containing("")), Vec::<usize>::new());
        assert_eq!(
            first_found(vec![h.containing("建"), h.starting_with("秀")], 10),
            [1, 2, 3]
        );
        assert_eq!(
            first_found(vec![h.containing("建"), h.starting_with("李")], 10),
            [1, 2]
        );
        assert_eq!(first_found(vec![h.containing("建")], 1), [1]);
        assert_eq!(
            first_found(vec![h.containing("秀")], 0),
            Vec::<usize>::new()
        );
    }

    proptest! {
        #[test]
        fn same_answer_as_checking_each_text(
            texts in proptest::collection::vec("[a-c王李\n]{0,6}", 0..40),
            part in "[a-c王李]{0,3}",
            start in "[a-c王李]{0,2}",
            limit in 0usize..50,
        ) {
            let h = Haystack::new(texts.iter().map(String::as_str));
            let expected: Vec<usize> = texts
                .iter()
                .map(|t| t.replace(SEPARATOR, ""))
                .enumerate()
                .filter(|(_, t)| {
                    (!part.is_empty() && t.contains(part.as_str()))
                        || (!start.is_empty() && t.starts_with(start.as_str()))
                })
                .map(|(i, _)| i)
                .take(limit)
                .collect();
            let found = first_found(vec![h.containing(&part), h.starting_with(&start)], limit);
            prop_assert_eq!(found, expected);
        }
    }
}
