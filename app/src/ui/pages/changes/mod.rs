//! Changes after enrolment on a person's page (参保变更): stop cover, correct a name or phone
//! (with the history of corrections), and the household's receipts with refund proposals.

mod correct;
mod history;
mod receipts;
mod stop;

pub use correct::CorrectionForm;
pub use history::CorrectionHistory;
pub use receipts::HouseholdReceipts;
pub use stop::StopCoverForm;

use crate::desk::changes::Maker;
use crate::device::{new_uuid, now_ms};
use crate::ui::context::{AppContext, DeviceState};
use leptos::prelude::{GetUntracked, WithUntracked};

/// Who makes a change now, from this tablet; `None` before the device is ready.
pub(crate) fn maker(app: AppContext) -> Option<Maker> {
    let DeviceState::Ready { device_id, .. } = app.device.get_untracked() else {
        return None;
    };
    let clinic = app.sync.with_untracked(|s| {
        s.user
            .as_ref()
            .and_then(|u| u.clinic_id.clone())
            .unwrap_or_default()
    });
    let now = now_ms();
    let at = chrono::DateTime::from_timestamp_millis(now as i64)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default();
    Some(Maker {
        device_id,
        clinic_id: clinic,
        now_ms: now,
        at,
        new_id: new_uuid(),
    })
}

/// After a change is on disk: the desk reads the residents again, the sync bar counts it.
pub(crate) fn saved(app: AppContext) {
    crate::ui::sync_runner::refresh(app);
    app.reload_desk();
}
