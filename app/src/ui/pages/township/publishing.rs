//! Publishing (目录与政策发布): a catalogue CSV or a policy file is chosen, checked by the
//! server (every wrong line named; otherwise the difference from the version in force,
//! filterable, with counts), and proposed; another township user approves it on
//! [`super::publications`], and tablets receive it at their next sync.

use cunbao_domain::catalogue_diff::CatalogueDiff;
use cunbao_domain::publishing::{
    CataloguePublication, LineProblem, PolicyPublication, PublishCatalogueRequest,
    PublishPolicyRequest,
};
use cunbao_domain::text::{Bilingual, Text};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::publications::Publications;
use super::staff_only::StaffOnline;
use crate::i18n::Key;
use crate::routes::Section;
use crate::sync::http::FETCH;
use crate::ui::context::use_app;

#[component]
pub fn PublishingPage() -> impl IntoView {
    let app = use_app();
    // Bumped when a proposal is made, so that the list below shows it.
    let proposed = RwSignal::new(0u32);
    view! {
        <h1 data-testid="section-title">{move || app.t(Section::Publishing.label())}</h1>
        <p class="hint">{move || app.t(Key::PublishingPlan)}</p>
        <StaffOnline>
            <CatalogueCard proposed=proposed/>
            <PolicyCard proposed=proposed/>
            <Publications proposed=proposed/>
        </StaffOnline>
    }
}

/// Reads the file chosen in an `<input type="file">` as text into `into`.
fn read_chosen(ev: &leptos::ev::Event, into: RwSignal<Option<String>>) {
    let file = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .and_then(|input| input.files())
        .and_then(|files| files.get(0));
    into.set(None);
    if let Some(file) = file {
        leptos::task::spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text()).await;
            into.set(text.ok().and_then(|t| t.as_string()));
        });
    }
}

/// What a catalogue check answered: the difference, or the refusal with its lines.
#[derive(Clone)]
enum Checked {
    Catalogue(Box<CataloguePublication>),
    Refused(Text, Vec<LineProblem>),
}

#[component]
fn CatalogueCard(proposed: RwSignal<u32>) -> impl IntoView {
    let app = use_app();
    let csv = RwSignal::new(None::<String>);
    let effective = RwSignal::new((crate::device::today() + chrono::Days::new(1)).to_string());
    let version = RwSignal::new(String::new());
    let checked = RwSignal::new(None::<Checked>);
    let done = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let send = move |dry_run: bool| {
        let Some(csv) = csv.get_untracked() else {
            checked.set(Some(Checked::Refused(
                crate::i18n::both(Key::ChooseFile),
                Vec::new(),
            )));
            return;
        };
        let Ok(effective_from) = effective.get_untracked().parse() else {
            checked.set(Some(Checked::Refused(
                crate::i18n::both(Key::EffectiveDateNeeded),
                Vec::new(),
            )));
            return;
        };
        let v = version.get_untracked().trim().to_string();
        let request = PublishCatalogueRequest {
            csv,
            effective_from,
            version: (!v.is_empty()).then_some(v),
            dry_run,
        };
        busy.set(true);
        done.set(None);
        app.with_token(move |token| async move {
            match FETCH.publish_catalogue(&token, &request).await {
                Ok(answer) => {
                    if let Some(id) = &answer.proposal_id {
                        done.set(Some(format!("{} · {id}", answer.version)));
                        proposed.update(|n| *n += 1);
                    }
                    checked.set(Some(Checked::Catalogue(Box::new(answer))));
                }
                Err(refusal) => {
                    checked.set(Some(Checked::Refused(refusal.error.text(), refusal.lines)))
                }
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card publish" data-testid="publish-catalogue">
            <h2>{move || app.t(Key::PublishCatalogueTitle)}</h2>
            <div class="form">
            <label>
                <span>{move || app.t(Key::CatalogueFile)}</span>
                <input type="file" name="catalogue_csv" accept=".csv,text/csv"
                    on:change=move |ev| { checked.set(None); read_chosen(&ev, csv) }/>
            </label>
            <label>
                <span>{move || app.t(Key::EffectiveFrom)}</span>
                <input type="date" name="effective_from" prop:value=effective
                    on:input=move |ev| effective.set(event_target_value(&ev))/>
            </label>
            <label>
                <span>{move || app.t(Key::VersionName)}</span>
                <input name="version" placeholder=move || format!("catalogue-{}", effective.get())
                    prop:value=version on:input=move |ev| version.set(event_target_value(&ev))/>
            </label>
            <div class="actions">
                <button data-testid="check-catalogue" disabled=move || busy.get() on:click=move |_| send(true)>{move || app.t(Key::CheckFile)}</button>
            </div>
            </div>
            {move || checked.get().map(|c| match c {
                Checked::Refused(why, lines) => view! {
                    <div data-testid="catalogue-refused">
                        <p class="field-error" role="alert">{app.say(&why)}</p>
                        <ul class="line-errors" data-testid="line-errors">
                            {lines.into_iter().map(|l| view! {
                                <li data-line=l.line>{move || if app.lang.get() == crate::i18n::Lang::Zh { l.message_zh.clone() } else { l.message_en.clone() }}</li>
                            }).collect_view()}
                        </ul>
                    </div>
                }.into_any(),
                Checked::Catalogue(answer) => {
                    let proposable = answer.proposal_id.is_none();
                    view! {
                        <DiffView answer=*answer/>
                        {proposable.then(|| view! {
                            <button class="primary" data-testid="propose-catalogue" disabled=move || busy.get()
                                on:click=move |_| send(false)>{move || app.t(Key::ProposePublication)}</button>
                        })}
                    }.into_any()
                }
            })}
            {move || done.get().map(|d| view! {
                <p class="notice" role="status" data-testid="catalogue-proposed">{app.t(Key::PublicationProposed)}" "{d}</p>
            })}
        </section>
    }
}

/// Which of a difference's lines are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Show3 {
    All,
    Added,
    Removed,
    Changed,
}

#[component]
fn DiffView(answer: CataloguePublication) -> impl IntoView {
    let app = use_app();
    let shown = RwSignal::new(Show3::All);
    let CatalogueDiff {
        added,
        removed,
        changed,
    } = answer.diff.clone();
    let counts = [
        (
            Show3::All,
            Key::DiffAll,
            added.len() + removed.len() + changed.len(),
        ),
        (Show3::Added, Key::DiffAdded, added.len()),
        (Show3::Removed, Key::DiffRemoved, removed.len()),
        (Show3::Changed, Key::DiffChanged, changed.len()),
    ];
    let mut rows: Vec<(Show3, String, String, Text)> = Vec::new();
    let word = |key: Key| crate::i18n::both(key);
    rows.extend(added.into_iter().map(|i| {
        (
            Show3::Added,
            i.code.to_string(),
            i.name,
            word(Key::DiffAdded),
        )
    }));
    rows.extend(removed.into_iter().map(|i| {
        (
            Show3::Removed,
            i.code.to_string(),
            i.name,
            word(Key::DiffRemoved),
        )
    }));
    rows.extend(changed.into_iter().map(|i| {
        let what = i.changes.iter().map(|c| c.text()).collect::<Vec<_>>();
        let joined = Text::new(
            what.iter()
                .map(|t| t.zh.as_str())
                .collect::<Vec<_>>()
                .join("；"),
            what.iter()
                .map(|t| t.en.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        );
        (Show3::Changed, i.code.to_string(), i.name, joined)
    }));
    view! {
        <div data-testid="catalogue-diff">
            <p><strong>{answer.version.clone()}</strong>" · "{move || app.t(Key::ComparedWith)}" "{answer.against.clone()}
                " · "{answer.items}" "{move || app.t(Key::ItemsUnit)}" · "<span data-testid="diff-summary">{app.say(&answer.summary)}</span></p>
            <div class="filters" role="group">
                {counts.into_iter().map(|(which, key, n)| view! {
                    <button class:active=move || shown.get() == which data-testid=format!("diff-filter-{which:?}").to_lowercase()
                        on:click=move |_| shown.set(which)>{move || app.t(key)}" "{n}</button>
                }).collect_view()}
            </div>
            <div class="table-scroll">
                <table class="records">
                    <thead><tr><th>{app.t(Key::ItemCode)}</th><th>{app.t(Key::ItemName)}</th><th>{app.t(Key::DiffWhat)}</th></tr></thead>
                    <tbody>
                        {rows.into_iter().map(|(which, code, name, what)| view! {
                            <tr data-testid="diff-row" data-kind=format!("{which:?}").to_lowercase() style:display=move || {
                                let s = shown.get();
                                if s == Show3::All || s == which { "" } else { "none" }
                            }>
                                <td class="mono">{code}</td><td>{name}</td><td>{app.say(&what)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </div>
    }
}

#[component]
fn PolicyCard(proposed: RwSignal<u32>) -> impl IntoView {
    let app = use_app();
    let json = RwSignal::new(None::<String>);
    let effective = RwSignal::new(String::new());
    let answer = RwSignal::new(None::<Result<PolicyPublication, Text>>);
    let busy = RwSignal::new(false);
    let send = move |dry_run: bool| {
        let parsed = json
            .get_untracked()
            .and_then(|j| serde_json::from_str::<serde_json::Value>(&j).ok());
        let Some(policy) = parsed else {
            answer.set(Some(Err(crate::i18n::both(Key::ChoosePolicyFile))));
            return;
        };
        let request = PublishPolicyRequest {
            policy,
            effective_from: effective.get_untracked().parse().ok(),
            dry_run,
        };
        busy.set(true);
        app.with_token(move |token| async move {
            let result = FETCH.publish_policy(&token, &request).await;
            if result.as_ref().is_ok_and(|a| a.proposal_id.is_some()) {
                proposed.update(|n| *n += 1);
            }
            answer.set(Some(result.map_err(|e| e.text())));
            busy.set(false);
        });
    };
    view! {
        <section class="card publish" data-testid="publish-policy">
            <h2>{move || app.t(Key::PublishPolicyTitle)}</h2>
            <div class="form">
            <label>
                <span>{move || app.t(Key::PolicyFile)}</span>
                <input type="file" name="policy_json" accept=".json,application/json"
                    on:change=move |ev| { answer.set(None); read_chosen(&ev, json) }/>
            </label>
            <label>
                <span>{move || app.t(Key::EffectiveFromOptional)}</span>
                <input type="date" name="policy_effective_from" prop:value=effective
                    on:input=move |ev| effective.set(event_target_value(&ev))/>
            </label>
            <div class="actions">
                <button data-testid="check-policy" disabled=move || busy.get() on:click=move |_| send(true)>{move || app.t(Key::CheckFile)}</button>
            </div>
            </div>
            {move || answer.get().map(|a| match a {
                Err(why) => view! { <p class="field-error" role="alert">{app.say(&why)}</p> }.into_any(),
                Ok(p) => {
                    let proposable = p.proposal_id.is_none();
                    view! {
                        <div data-testid="policy-diff">
                            <p><strong>{p.version.clone()}</strong>" · "{p.scheme_year}" · "
                                {move || app.t(Key::EffectiveFrom)}" "{p.effective_from.to_string()}</p>
                            <ul>{p.changes.iter().map(|c| view! { <li>{app.say(c)}</li> }).collect_view()}</ul>
                            {(!proposable).then(|| view! { <p class="notice" role="status" data-testid="policy-proposed">{app.t(Key::PublicationProposed)}</p> })}
                        </div>
                        {proposable.then(|| view! {
                            <button class="primary" data-testid="propose-policy" disabled=move || busy.get()
                                on:click=move |_| send(false)>{move || app.t(Key::ProposePublication)}</button>
                        })}
                    }.into_any()
                }
            })}
        </section>
    }
}
