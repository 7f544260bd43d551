//! Small charts drawn as SVG by hand (no chart library): horizontal bars with an optional target
//! mark, bars stacked by part, and a line over twelve months. Sizes are whole numbers scaled in
//! integer arithmetic; each chart has a title for screen readers, and the table beside it says
//! the same in figures.

use leptos::prelude::*;

use crate::township::figures::scaled;

/// The colours of the parts of a stacked bar, in order.
pub const PALETTE: [&str; 5] = ["#0f766e", "#d97706", "#2563eb", "#9333ea", "#64748b"];

/// One bar: its label, its value, what to write at its end, and an optional target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub shown: String,
    pub target: Option<i64>,
}

/// Horizontal bars, one per row; a target is drawn as a mark across its bar.
#[component]
pub fn HBars(title: String, bars: Vec<Bar>) -> impl IntoView {
    if bars.is_empty() {
        let app = crate::ui::context::use_app();
        return view! { <p class="empty">{move || app.t(crate::i18n::Key::NoFigures)}</p> }
            .into_any();
    }
    const LABEL: i64 = 120;
    const WIDTH: i64 = 260;
    const ROW: i64 = 26;
    let max = bars
        .iter()
        .map(|b| b.value.max(b.target.unwrap_or(0)))
        .max()
        .unwrap_or(0);
    let height = ROW * (bars.len() as i64).max(1) + 4;
    let total = LABEL + WIDTH + 90;
    view! {
        <svg class="chart" role="img" viewBox=format!("0 0 {total} {height}") preserveAspectRatio="xMinYMin meet">
            <title>{title}</title>
            {bars.into_iter().enumerate().map(|(i, b)| {
                let y = i as i64 * ROW + 4;
                let w = scaled(b.value, max, WIDTH);
                let target = b.target.map(|t| LABEL + scaled(t, max, WIDTH));
                view! {
                    <g>
                        <text x=LABEL - 6 y=y + 14 text-anchor="end" class="chart-label">{b.label}</text>
                        <rect x=LABEL y=y width=w.max(1) height=ROW - 8 fill=PALETTE[0] rx="2"/>
                        {target.map(|x| view! { <line x1=x x2=x y1=y - 2 y2=y + ROW - 6 stroke="#b91c1c" stroke-width="2"/> })}
                        <text x=LABEL + w + 6 y=y + 14 class="chart-value">{b.shown}</text>
                    </g>
                }
            }).collect_view()}
        </svg>
    }
    .into_any()
}

/// One stacked column: its label and its parts' values (in [`PALETTE`] order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub label: String,
    pub parts: Vec<i64>,
}

/// Columns stacked by part, with a legend.
#[component]
pub fn StackedColumns(title: String, columns: Vec<Column>, legend: Vec<String>) -> impl IntoView {
    const HEIGHT: i64 = 160;
    const COL: i64 = 34;
    let max = columns
        .iter()
        .map(|c| c.parts.iter().sum::<i64>())
        .max()
        .unwrap_or(0);
    let width = COL * columns.len() as i64 + 10;
    view! {
        <svg class="chart" role="img" viewBox=format!("0 0 {width} {}", HEIGHT + 40) preserveAspectRatio="xMinYMin meet">
            <title>{title}</title>
            {columns.into_iter().enumerate().map(|(i, c)| {
                let x = i as i64 * COL + 6;
                let mut top = HEIGHT;
                let parts = c.parts.iter().enumerate().map(|(p, v)| {
                    let h = scaled(*v, max, HEIGHT);
                    top -= h;
                    view! { <rect x=x y=top width=COL - 8 height=h fill=PALETTE[p % PALETTE.len()]/> }
                }).collect_view();
                view! {
                    <g>
                        {parts}
                        <text x=x + (COL - 8) / 2 y=HEIGHT + 14 text-anchor="middle" class="chart-label">{c.label}</text>
                    </g>
                }
            }).collect_view()}
            {legend.into_iter().enumerate().map(|(p, name)| {
                let x = 6 + p as i64 * 120;
                view! {
                    <g>
                        <rect x=x y=HEIGHT + 24 width="10" height="10" fill=PALETTE[p % PALETTE.len()]/>
                        <text x=x + 14 y=HEIGHT + 33 class="chart-label">{name}</text>
                    </g>
                }
            }).collect_view()}
        </svg>
    }
}

/// A line over labelled points (twelve months), with the points marked.
#[component]
pub fn Line(title: String, points: Vec<(String, i64)>) -> impl IntoView {
    const HEIGHT: i64 = 120;
    const STEP: i64 = 34;
    let max = points.iter().map(|p| p.1).max().unwrap_or(0);
    let width = STEP * points.len() as i64 + 10;
    let at = |i: usize, v: i64| (i as i64 * STEP + 20, HEIGHT - scaled(v, max, HEIGHT - 10));
    let path = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let (x, y) = at(i, p.1);
            format!("{x},{y}")
        })
        .collect::<Vec<_>>()
        .join(" ");
    view! {
        <svg class="chart" role="img" viewBox=format!("0 0 {width} {}", HEIGHT + 20) preserveAspectRatio="xMinYMin meet">
            <title>{title}</title>
            <polyline points=path fill="none" stroke=PALETTE[2] stroke-width="2"/>
            {points.into_iter().enumerate().map(|(i, (label, v))| {
                let (x, y) = at(i, v);
                view! {
                    <g>
                        <circle cx=x cy=y r="3" fill=PALETTE[2]/>
                        <text x=x y=HEIGHT + 16 text-anchor="middle" class="chart-label">{label}</text>
                    </g>
                }
            }).collect_view()}
        </svg>
    }
}
