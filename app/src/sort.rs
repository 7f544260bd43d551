//! Sorting with one copy of the sort in the wasm (issue 18, the bundle). The standard library's
//! sorts are generic: each list type and each comparison made its own copy of the whole sort
//! (about 3 KB each, twenty of them). Here the positions `0..len` are sorted once, by a
//! comparison passed as `&dyn Fn`, and the list is then put in that order. Stable, like
//! `slice::sort_by`.

use std::cmp::Ordering;

/// Sorts `list` by `compare`, stably.
pub fn sort_by<T>(list: &mut Vec<T>, compare: impl Fn(&T, &T) -> Ordering) {
    let order = positions(list.len(), &|a, b| compare(&list[a], &list[b]));
    let mut items: Vec<Option<T>> = list.drain(..).map(Some).collect();
    list.extend(order.into_iter().filter_map(|i| items[i].take()));
}

/// Sorts `list` by the key `key` gives each item, stably.
pub fn sort_by_key<T, K: Ord>(list: &mut Vec<T>, key: impl Fn(&T) -> K) {
    sort_by(list, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `list` in its natural order, stably.
pub fn sort<T: Ord>(list: &mut Vec<T>) {
    sort_by(list, T::cmp);
}

/// The positions `0..len` in the order `compare` gives them (the one sort in the wasm).
fn positions(len: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| compare(a, b));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_stably_by_a_key() {
        let mut list = vec![(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd'), (1, 'e')];
        sort_by_key(&mut list, |item| item.0);
        assert_eq!(list, [(1, 'b'), (1, 'e'), (2, 'd'), (3, 'a'), (3, 'c')]);
    }

    #[test]
    fn sorts_by_a_comparison_and_naturally() {
        let mut words = vec!["pear".to_string(), "fig".into(), "apple".into()];
        sort_by(&mut words, |a, b| b.cmp(a));
        assert_eq!(words, ["pear", "fig", "apple"]);
        sort(&mut words);
        assert_eq!(words, ["apple", "fig", "pear"]);
        let mut empty: Vec<u8> = Vec::new();
        sort(&mut empty);
        assert!(empty.is_empty());
    }

    #[test]
    fn agrees_with_the_standard_sort() {
        let mut list: Vec<(u8, u16)> = (0..500u16).map(|i| ((i * 37 % 11) as u8, i)).collect();
        let mut expected = list.clone();
        expected.sort_by_key(|item| item.0);
        sort_by_key(&mut list, |item| item.0);
        assert_eq!(list, expected);
    }
}
