//! Catalogue search over 30,000 items, as the desk runs it on every keystroke: a query that
//! matches many items (common pinyin initials), and ones that match one or none (a full name
//! that matches one maker's item, a code, nothing at all); and building the search index, which
//! the desk does once when it loads the catalogue. Run: `cargo bench -p cunbao-domain`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use cunbao_domain::catalogue::ItemSearch;
use cunbao_domain::synthetic;

fn bench_catalogue_search(c: &mut Criterion) {
    let catalogue = synthetic::catalogue(30_000, 1);
    let rare_name = catalogue.items[29_999].name.clone();
    let rare_code = catalogue.items[29_999].code.to_string();
    let search = ItemSearch::new(&catalogue.items);
    let mut group = c.benchmark_group("catalogue search, 30k items, first 8");
    for (label, query) in [
        ("pinyin initials 'a'", "a".to_string()),
        ("full name of the last item", rare_name),
        ("code of the last item", rare_code),
        ("no match", "不存在的药".to_string()),
    ] {
        group.bench_function(label, |b| b.iter(|| search.find(black_box(&query), 8)));
    }
    group.finish();
    c.bench_function("catalogue search index, built from 30k items", |b| {
        b.iter(|| ItemSearch::new(black_box(&catalogue.items)))
    });
}

criterion_group!(benches, bench_catalogue_search);
criterion_main!(benches);
