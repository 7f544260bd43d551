//! State shared by every screen, provided once by `App` as a small `Copy` struct.

use cunbao_domain::sync::UserInfo;
use cunbao_domain::text::Text;
use std::rc::Rc;
use std::sync::Arc;

use futures::future::{FutureExt, LocalBoxFuture, Shared};

use cunbao_domain::policy::{for_enrolment, for_visit, Policy};

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::access::Gate;
use crate::desk::catalogue::CatalogueIndex;
use crate::desk::residents::ResidentIndex;
use crate::device;
use crate::i18n::{text, Key, Lang};
use crate::routes::{Bundle, Section};
use crate::storage::indexeddb::IndexedDbStore;
use crate::storage::meta;
use crate::sync::SyncStatus;
use crate::vault::Vault;

#[derive(Debug, Clone, PartialEq)]
pub enum DeviceState {
    Opening,
    Ready { device_id: String, schema: u32 },
    Failed(Text),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StorageInfo {
    pub used: f64,
    pub quota: f64,
    pub persisted: bool,
}

/// The policies, catalogue and residents on this device.
#[derive(Clone)]
pub struct Desk {
    /// The policy of today's visits: the one whose scheme year covers today.
    pub policy: Option<Arc<Policy>>,
    /// The policy of today's enrolments: next year's in its collection period, else this
    /// year's.
    pub enrolment_policy: Option<Arc<Policy>>,
    /// Whether the device holds any policy at all (none: it is not set up yet).
    pub has_policies: bool,
    pub catalogue: Arc<CatalogueIndex>,
    pub residents: Arc<ResidentIndex>,
}

#[derive(Clone, Copy)]
pub struct AppContext {
    /// Which build of the app this is (see [`Bundle`]).
    pub bundle: Bundle,
    pub lang: RwSignal<Lang>,
    pub online: RwSignal<bool>,
    pub shell_cached: RwSignal<bool>,
    pub device: RwSignal<DeviceState>,
    pub sync: RwSignal<SyncStatus>,
    /// The signed-in user out of `sync`: it changes when the user does, not at every update of
    /// where sync stands, so what depends on the user alone (tabs, a form only administrators
    /// see) is not drawn again, losing what was typed, whenever a sync moves on.
    user: Memo<Option<UserInfo>>,
    pub sync_running: RwSignal<bool>,
    /// The last sync's failure, in both languages.
    pub sync_error: RwSignal<Option<Text>>,
    pub sync_attempt: StoredValue<u32>,
    /// A device-setup download under way.
    pub setup_progress: RwSignal<Option<crate::sync::setup::Progress>>,
    pub storage: RwSignal<Option<StorageInfo>>,
    /// Whether residents' data may be shown and saved: see [`crate::access::Gate`].
    pub gate: RwSignal<Gate>,
    /// The server no longer accepts this tablet's session (unknown after a server restore, or
    /// the device revoked): the sign-in form is offered beside where sync stands, whatever is
    /// still to upload, and the outbox is sent under the new sign-in.
    pub session_refused: RwSignal<bool>,
    /// What the desk works from, loaded from the device and reloaded after every sync and save.
    pub desk: RwSignal<Option<Desk>>,
    /// The claim just saved on this screen, handed to its slip so that it shows at once.
    pub saved_claim: StoredValue<Option<crate::desk::visit::ClaimRecord>>,
    /// The local database itself: only what is in clear can be read through it.
    raw: StoredValue<Option<Rc<IndexedDbStore>>, LocalStorage>,
    /// The database through the data key, while the desk is open (see `crate::vault`).
    vault: StoredValue<Option<Rc<Vault>>, LocalStorage>,
    /// The catalogue's search index, built from the public catalogue (in clear) while the
    /// lock screen shows and kept across locks, so that unlocking reads only residents' data.
    catalogue: StoredValue<Option<SharedCatalogue>, LocalStorage>,
}

/// A catalogue index being built, or built: every reader awaits the same one.
type SharedCatalogue = Shared<LocalBoxFuture<'static, Arc<CatalogueIndex>>>;

impl AppContext {
    /// The shared state before the local database is open; `boot::start` opens it.
    pub(crate) fn new(bundle: Bundle) -> AppContext {
        let sync = RwSignal::new(SyncStatus::default());
        AppContext {
            bundle,
            sync,
            user: Memo::new(move |_| sync.with(|s| s.user.clone())),
            lang: RwSignal::new(Lang::default()),
            online: RwSignal::new(device::is_online()),
            shell_cached: RwSignal::new(device::shell_cached()),
            device: RwSignal::new(DeviceState::Opening),
            sync_running: RwSignal::new(false),
            sync_error: RwSignal::new(None),
            sync_attempt: StoredValue::new(0),
            setup_progress: RwSignal::new(None),
            storage: RwSignal::new(None),
            gate: RwSignal::new(Gate::Opening),
            session_refused: RwSignal::new(false),
            desk: RwSignal::new(None),
            saved_claim: StoredValue::new(None),
            raw: StoredValue::new_local(None),
            vault: StoredValue::new_local(None),
            catalogue: StoredValue::new_local(None),
        }
    }

    /// Reads the desk's data again (after a sync or a save). The catalogue is read only when
    /// its version changed.
    pub fn reload_desk(&self) {
        let Some(store) = self.store() else { return };
        let desk = self.desk;
        let gate = self.gate;
        let catalogue = self.catalogue_index();
        spawn_local(async move {
            let store = store.as_ref();
            let policies = crate::desk::local::policies(store)
                .await
                .unwrap_or_default();
            let today = crate::device::today();
            let policy = for_visit(&policies, today).cloned().map(Arc::new);
            let enrolment_policy = for_enrolment(&policies, today).cloned().map(Arc::new);
            // The catalogue's index is usually built already (at start); residents' data is
            // read and opened meanwhile.
            let (catalogue, residents) = futures::join!(catalogue, ResidentIndex::load(store));
            let residents = Arc::new(residents.unwrap_or_default());
            // Closed while reading: what was read is dropped.
            if !gate.get_untracked().is_open() {
                return;
            }
            desk.set(Some(Desk {
                policy,
                enrolment_policy,
                has_policies: !policies.is_empty(),
                catalogue,
                residents,
            }));
        });
    }

    /// The catalogue's index: the one built (or being built) if the catalogue on the device is
    /// still that version, else built anew — from the database itself, as the catalogue is
    /// public and stored in clear. Called at start, so it is ready by the time a PIN is typed.
    pub fn catalogue_index(&self) -> SharedCatalogue {
        let slot = self.catalogue;
        let Some(raw) = self.device_store() else {
            return futures::future::ready(Arc::new(CatalogueIndex::default()))
                .boxed_local()
                .shared();
        };
        let current = slot.get_value();
        let index = async move {
            let version = crate::sync::setup::catalogue_version(raw.as_ref())
                .await
                .ok()
                .flatten();
            if let Some(current) = current {
                let built = current.await;
                if Some(&built.version) == version.as_ref() {
                    return built;
                }
            }
            Arc::new(CatalogueIndex::load(raw.as_ref()).await.unwrap_or_default())
        }
        .boxed_local()
        .shared();
        slot.set_value(Some(index.clone()));
        index
    }

    /// Runs `f` with the session's token, for the screens that ask the server (the township's,
    /// the clinic's confirmed cash); nothing when the desk is closed or nobody is signed in.
    pub fn with_token<F, Fut>(&self, f: F)
    where
        F: FnOnce(String) -> Fut + 'static,
        Fut: std::future::Future<Output = ()> + 'static,
    {
        let Some(store) = self.store() else { return };
        spawn_local(async move {
            if let Ok(Some(session)) = crate::sync::session(store.as_ref()).await {
                f(session.token).await;
            }
        });
    }

    /// Whether someone is signed in (known once the PIN opened the session); reactive.
    pub fn signed_in(&self) -> bool {
        self.user.with(Option::is_some)
    }

    /// The signed-in user's username (empty if nobody is signed in); reactive in a view.
    pub fn username(&self) -> String {
        self.user.with(|user| {
            user.as_ref()
                .map(|u| u.username.clone())
                .unwrap_or_default()
        })
    }

    /// The signed-in user's name (empty if nobody is signed in); reactive when read in a view.
    pub fn user_name(&self) -> String {
        self.user.with(|user| {
            user.as_ref()
                .map(|u| u.display_name.clone())
                .unwrap_or_default()
        })
    }

    /// Whether the signed-in user is a township administrator; reactive in a view.
    pub fn is_administrator(&self) -> bool {
        self.user.with(|user| {
            user.as_ref()
                .is_some_and(|u| u.role == cunbao_domain::sync::Role::Administrator)
        })
    }

    /// Whether the signed-in user is township staff (who review, and do not work the desk);
    /// reactive when read in a view.
    pub fn is_township_staff(&self) -> bool {
        self.user.with(|user| {
            user.as_ref().is_some_and(|u| {
                matches!(
                    u.role,
                    cunbao_domain::sync::Role::TownshipReviewer
                        | cunbao_domain::sync::Role::Administrator
                )
            })
        })
    }

    /// Whether the township's screens are the ones to show: the user is township staff, or,
    /// before the user is known (just unlocked), this is the township's build — so that tabs
    /// and pages do not change under a finger once the user is known.
    pub fn township_screens(&self) -> bool {
        if self.signed_in() {
            self.is_township_staff()
        } else {
            self.bundle == Bundle::Township
        }
    }

    /// The sections offered (tabs and tiles): those of the user's role that this build has.
    pub fn offers(&self, section: Section) -> bool {
        self.bundle.has(section) && section.offered_to(self.township_screens())
    }

    /// The local database for the desk's reads and saves, and for sync: only while the gate
    /// is open (a signed-in user who entered their PIN in this run, or signed in online), and
    /// through the data key. Every enrolment, collection, settlement, void, change and draft
    /// goes through here, so none is made otherwise.
    pub fn store(&self) -> Option<Rc<Vault>> {
        if !self.gate.get_untracked().is_open() {
            leptos::logging::warn!("the desk is closed: nothing is read or saved");
            return None;
        }
        self.vault.get_value()
    }

    /// The local database itself, for what works without the data key: sign-in, the PIN,
    /// the language, what waits to upload. Residents' data read through it stays sealed.
    pub fn device_store(&self) -> Option<Rc<IndexedDbStore>> {
        self.raw.get_value()
    }

    /// Opens the desk on the data key (PIN entered, or an online sign-in) and reads its data.
    pub fn open_desk(&self, vault: Vault) {
        self.vault.set_value(Some(Rc::new(vault)));
        self.gate.set(Gate::Open);
        self.reload_desk();
    }

    /// Closes the desk: the screens with residents' data go, their data leaves memory, and
    /// the data key is dropped.
    pub fn close_desk(&self, gate: Gate) {
        self.gate.set(gate);
        self.vault.set_value(None);
        self.desk.set(None);
        self.saved_claim.set_value(None);
    }

    /// Hands the opened local database to every screen.
    pub fn set_store(&self, store: IndexedDbStore) {
        self.raw.set_value(Some(Rc::new(store)));
    }

    /// The current language's half of a bilingual message (reactive).
    pub fn say(&self, text: &Text) -> String {
        match self.lang.get() {
            Lang::Zh => text.zh.clone(),
            Lang::En => text.en.clone(),
        }
    }

    /// The text for `key` in the current language (reactive).
    pub fn t(&self, key: Key) -> &'static str {
        text(self.lang.get(), key)
    }

    /// Switches the interface language and remembers the choice on this device.
    pub fn switch_lang(&self) {
        let lang = self.lang.get_untracked().other();
        self.lang.set(lang);
        if let Some(store) = self.raw.get_value() {
            spawn_local(async move {
                if let Err(err) = meta::set_lang(store.as_ref(), lang).await {
                    leptos::logging::error!("saving the language failed: {err}");
                }
            });
        }
    }
}

pub fn use_app() -> AppContext {
    expect_context::<AppContext>()
}
