//! Finding, among many short texts (names, codes, pinyin initials), those that contain or start
//! with what was typed — fast enough to run on every keystroke over a whole catalogue on a slow
//! tablet. Each list is indexed once, when it is loaded, for the one kind of search it gets:
//! - [`SubstringIndex`] (names: "contains"): for each character, the texts that contain it. A
//!   text containing the typed part contains each of its characters, so only the texts listed
//!   under its rarest character are checked; a part that matches almost nothing is answered
//!   without reading every text.
//! - [`PrefixIndex`] (ID numbers, codes, pinyin initials: "starts with"): the texts in sorted
//!   order. Those starting with the typed part are one run of it, found by binary search.

use std::collections::HashMap;

use memchr::memmem;

/// Ascending indices of texts, each once.
pub type Hits<'a> = Box<dyn Iterator<Item = usize> + 'a>;

/// Texts kept end to end in one string.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Texts {
    text: String,
    /// Byte offset where each text starts, and where the last one ends.
    bounds: Vec<u32>,
}

impl Default for Texts {
    fn default() -> Texts {
        Texts {
            text: String::new(),
            bounds: vec![0],
        }
    }
}

impl Texts {
    fn push(&mut self, text: &str) {
        self.text.push_str(text);
        self.bounds.push(self.text.len() as u32);
    }

    fn len(&self) -> usize {
        self.bounds.len() - 1
    }

    fn get(&self, index: u32) -> &str {
        let index = index as usize;
        &self.text[self.bounds[index] as usize..self.bounds[index + 1] as usize]
    }
}

/// Finds the texts that contain what was typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubstringIndex {
    texts: Texts,
    /// For each character, the texts that contain it, ascending.
    by_char: HashMap<char, Vec<u32>>,
}

impl SubstringIndex {
    pub fn new<'a>(texts: impl IntoIterator<Item = &'a str>) -> SubstringIndex {
        let mut index = SubstringIndex::default();
        for (i, text) in texts.into_iter().enumerate() {
            let i = i as u32;
            index.texts.push(text);
            for c in text.chars() {
                let containing = index.by_char.entry(c).or_default();
                if containing.last() != Some(&i) {
                    containing.push(i);
                }
            }
        }
        index
    }

    /// The texts that contain `needle`: those listed under its rarest character, checked.
    pub fn containing(&self, needle: &str) -> Hits<'_> {
        let rarest = needle
            .chars()
            .map(|c| self.by_char.get(&c).map_or(&[][..], Vec::as_slice))
            .min_by_key(|texts| texts.len())
            .unwrap_or_default();
        let finder = memmem::Finder::new(needle.as_bytes()).into_owned();
        Box::new(
            rarest
                .iter()
                .filter(move |&&i| finder.find(self.texts.get(i).as_bytes()).is_some())
                .map(|&i| i as usize),
        )
    }
}

/// Finds the texts that start with what was typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrefixIndex {
    texts: Texts,
    /// The texts' indices, in the texts' byte order.
    sorted: Vec<u32>,
}

impl PrefixIndex {
    pub fn new<'a>(texts: impl IntoIterator<Item = &'a str>) -> PrefixIndex {
        let mut index = PrefixIndex::default();
        for text in texts {
            index.texts.push(text);
        }
        let texts = &index.texts;
        let mut sorted: Vec<u32> = (0..texts.len() as u32).collect();
        sorted.sort_unstable_by(|&a, &b| texts.get(a).cmp(texts.get(b)));
        index.sorted = sorted;
        index
    }

    /// The first `limit` texts, ascending, that start with `needle`: the run of the sorted
    /// texts that starts with it, its smallest indices picked out.
    pub fn starting_with(&self, needle: &str, limit: usize) -> Hits<'_> {
        if needle.is_empty() || limit == 0 {
            return Box::new(std::iter::empty());
        }
        let texts = &self.texts;
        let from = self.sorted.partition_point(|&i| texts.get(i) < needle);
        let run = self.sorted[from..].partition_point(|&i| texts.get(i).starts_with(needle));
        let mut hits: Vec<usize> = self.sorted[from..from + run]
            .iter()
            .map(|&i| i as usize)
            .collect();
        if hits.len() > limit {
            hits.select_nth_unstable(limit - 1);
            hits.truncate(limit);
        }
        hits.sort_unstable();
        Box::new(hits.into_iter())
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn finds_texts_containing_or_starting_with_the_needle() {
        let texts = ["王秀兰", "李建国", "王建", "秀秀"];
        let (h, p) = (SubstringIndex::new(texts), PrefixIndex::new(texts));
        let all = |hits: Hits| hits.collect::<Vec<_>>();
        assert_eq!(all(h.containing("秀")), [0, 3]);
        assert_eq!(all(p.starting_with("秀", 10)), [3]);
        assert_eq!(all(p.starting_with("王", 10)), [0, 2]);
        assert_eq!(all(p.starting_with("王", 1)), [0]);
        assert_eq!(all(p.starting_with("王建", 10)), [2]);
        assert_eq!(all(p.starting_with("", 10)), Vec::<usize>::new());
        assert_eq!(all(h.containing("兰李")), Vec::<usize>::new());
        assert_eq!(all(h.containing("")), Vec::<usize>::new());
        assert_eq!(
            first_found(vec![h.containing("建"), p.starting_with("秀", 10)], 10),
            [1, 2, 3]
        );
        assert_eq!(
            first_found(vec![h.containing("建"), p.starting_with("李", 10)], 10),
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
            let h = SubstringIndex::new(texts.iter().map(String::as_str));
            let p = PrefixIndex::new(texts.iter().map(String::as_str));
            let expected: Vec<usize> = texts
                .iter()
                .enumerate()
                .filter(|(_, t)| {
                    (!part.is_empty() && t.contains(part.as_str()))
                        || (!start.is_empty() && t.starts_with(start.as_str()))
                })
                .map(|(i, _)| i)
                .take(limit)
                .collect();
            let found = first_found(vec![h.containing(&part), p.starting_with(&start, limit)], limit);
            prop_assert_eq!(found, expected);
        }
    }
}
