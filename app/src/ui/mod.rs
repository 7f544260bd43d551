//! The Leptos interface: `App` sets up shared state and the router; pages and components
//! only wire signals to the logic in the crate's other modules.

pub mod boot;
pub mod components;
pub mod context;
pub mod format;
pub mod handoff;
pub mod pages;
pub mod sync_runner;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::access::Gate;
use crate::routes::Bundle;
use components::header::Header;
use components::nav::NavBar;
use pages::enrol::EnrolPage;
use pages::home::HomePage;
use pages::lock::{LockScreen, OtherBuild, SignInGate};
use pages::not_found::NotFoundPage;
use pages::receipt::ReceiptPage;
use pages::residents::{PersonPage, ResidentsPage};
use pages::settlement::SettlementPage;
use pages::sync::SyncPage;
use pages::today::TodayPage;
use pages::township::cash::CashPage;
use pages::township::chronic::ChronicPage;
use pages::township::dashboard::DashboardPage;
use pages::township::devices::DevicesPage;
use pages::township::proposals::ProposalsPage;
use pages::township::publishing::PublishingPage;
use pages::township::report::ReportPage;
use pages::township::review_claim::ReviewClaimPage;
use pages::township::review_queue::ReviewQueuePage;
use pages::township::statement::StatementPage;
use pages::township::statements::StatementsPage;
use pages::township::users::UsersPage;
use pages::township::TownshipPage;

/// The clinic's build (`src/main.rs`): the desk, the start screen and sync. Township staff who
/// open it are sent on to the township's build.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <Frame bundle=Bundle::Clinic>
            <Routes fallback=|| view! { <NotFoundPage/> }>
                <Route path=path!("/") view=HomePage/>
                <Route path=path!("/residents") view=ResidentsPage/>
                <Route path=path!("/residents/:id") view=PersonPage/>
                <Route path=path!("/enrol") view=EnrolPage/>
                <Route path=path!("/receipt/:no") view=ReceiptPage/>
                <Route path=path!("/settlement/:claim?") view=SettlementPage/>
                <Route path=path!("/today") view=TodayPage/>
                <Route path=path!("/sync") view=SyncPage/>
            </Routes>
        </Frame>
    }
}

/// The township's build (`src/bin/cunbao-township.rs`, served under `/township`): the
/// township's screens, the start screen and sync. A clinic's user who opens it is sent on to
/// the clinic's build.
#[component]
pub fn TownshipApp() -> impl IntoView {
    view! {
        <Frame bundle=Bundle::Township>
            <Routes fallback=|| view! { <NotFoundPage/> }>
                <Route path=path!("/") view=HomePage/>
                <Route path=path!("/sync") view=SyncPage/>
                <Route path=path!("/township") view=TownshipPage/>
                <Route path=path!("/township/review") view=ReviewQueuePage/>
                <Route path=path!("/township/review/:claim") view=ReviewClaimPage/>
                <Route path=path!("/township/statements") view=StatementsPage/>
                <Route path=path!("/township/statements/:clinic/:month") view=StatementPage/>
                <Route path=path!("/township/cash") view=CashPage/>
                <Route path=path!("/township/proposals") view=ProposalsPage/>
                <Route path=path!("/township/devices") view=DevicesPage/>
                <Route path=path!("/township/users") view=UsersPage/>
                <Route path=path!("/township/publishing") view=PublishingPage/>
                <Route path=path!("/township/dashboard") view=DashboardPage/>
                <Route path=path!("/township/report") view=ReportPage/>
                <Route path=path!("/township/chronic") view=ChronicPage/>
            </Routes>
        </Frame>
    }
}

/// What both builds show around their routes: the header, and the one gate — residents' data
/// (every route) only for a signed-in user who entered their PIN in this run; otherwise the
/// lock screen or the sign-in form, whatever the address. A signed-in user of the other build
/// is sent there instead of the routes.
#[component]
fn Frame(bundle: Bundle, children: ChildrenFn) -> impl IntoView {
    let ctx = boot::start(bundle);
    provide_context(ctx);
    let children = StoredValue::new(children);
    let elsewhere = move || ctx.signed_in() && Bundle::for_user(ctx.is_township_staff()) != bundle;
    view! {
        <Router>
            <Header/>
            <Show when=move || ctx.gate.get().is_open() fallback=move || match ctx.gate.get() {
                Gate::Locked => view! { <main class="page gate"><LockScreen/></main> }.into_any(),
                Gate::SignIn(_) => view! { <main class="page gate"><SignInGate/></main> }.into_any(),
                Gate::Open | Gate::Opening => view! { <main class="page gate"></main> }.into_any(),
            }>
            <Show when=move || !elsewhere() fallback=move || view! { <main class="page"><OtherBuild/></main> }>
                <NavBar/>
                <main class="page">{children.read_value()()}</main>
            </Show>
            </Show>
        </Router>
    }
}
