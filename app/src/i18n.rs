//! Interface text in zh-CN (the default) and English. Every text is a [`Key`]; a missing
//! translation is a compile error, not a blank on screen.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// The BCP 47 tag, as stored in the device's meta store and set on `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Lang> {
        match tag {
            "zh-CN" | "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    AppName,
    Tagline,
    SwitchLanguage,
    NavHome,
    NavResidents,
    NavSettlement,
    NavSync,
    NavTownship,
    Online,
    Offline,
    DeviceStatus,
    DeviceId,
    LocalDatabase,
    DatabaseReady,
    DatabaseOpening,
    DatabaseFailed,
    AppShell,
    ShellOffline,
    ShellNotYet,
    NotBuiltYet,
    ResidentsPlan,
    SettlementPlan,
    SyncPlan,
    TownshipPlan,
    NotFoundTitle,
    BackHome,
    SignInTitle,
    Username,
    Password,
    DeviceName,
    DefaultDeviceName,
    SignIn,
    SigningIn,
    SignInNeedsNetwork,
    SignedInAs,
    SignOut,
    SignOutBlocked,
    NotSignedIn,
    Pending,
    LastSync,
    Never,
    SyncNow,
    Syncing,
    SyncFailed,
    SyncRetry,
    FailedItems,
    FailedHelp,
    NoFailed,
    Storage,
    StorageUsed,
    StorageAvailable,
    StoragePersistent,
    StorageNotPersistent,
    Notices,
    NoticeAdjustment,
    NoticeRefund,
    NoticeDuplicate,
    TownshipOnly,
    TownshipNeedsNetwork,
    Claims,
    Adjustments,
    RefundsDue,
    Enrolments,
    Clinic,
    Status,
    Amount,
    Fund,
    Record,
    Empty,
    Loading,
    StatusSettled,
    StatusActive,
    StatusOpen,
    StatusDue,
    StatusRejected,
    StatusVoid,
    StatusRecorded,
    CatalogueOnDevice,
    ItemsUnit,
    DownloadingCatalogue,
    DownloadingPolicy,
}

pub const ALL_KEYS: &[Key] = &[
    Key::AppName,
    Key::Tagline,
    Key::SwitchLanguage,
    Key::NavHome,
    Key::NavResidents,
    Key::NavSettlement,
    Key::NavSync,
    Key::NavTownship,
    Key::Online,
    Key::Offline,
    Key::DeviceStatus,
    Key::DeviceId,
    Key::LocalDatabase,
    Key::DatabaseReady,
    Key::DatabaseOpening,
    Key::DatabaseFailed,
    Key::AppShell,
    Key::ShellOffline,
    Key::ShellNotYet,
    Key::NotBuiltYet,
    Key::ResidentsPlan,
    Key::SettlementPlan,
    Key::SyncPlan,
    Key::TownshipPlan,
    Key::NotFoundTitle,
    Key::BackHome,
    Key::SignInTitle,
    Key::Username,
    Key::Password,
    Key::DeviceName,
    Key::DefaultDeviceName,
    Key::SignIn,
    Key::SigningIn,
    Key::SignInNeedsNetwork,
    Key::SignedInAs,
    Key::SignOut,
    Key::SignOutBlocked,
    Key::NotSignedIn,
    Key::Pending,
    Key::LastSync,
    Key::Never,
    Key::SyncNow,
    Key::Syncing,
    Key::SyncFailed,
    Key::SyncRetry,
    Key::FailedItems,
    Key::FailedHelp,
    Key::NoFailed,
    Key::Storage,
    Key::StorageUsed,
    Key::StorageAvailable,
    Key::StoragePersistent,
    Key::StorageNotPersistent,
    Key::Notices,
    Key::NoticeAdjustment,
    Key::NoticeRefund,
    Key::NoticeDuplicate,
    Key::TownshipOnly,
    Key::TownshipNeedsNetwork,
    Key::Claims,
    Key::Adjustments,
    Key::RefundsDue,
    Key::Enrolments,
    Key::Clinic,
    Key::Status,
    Key::Amount,
    Key::Fund,
    Key::Record,
    Key::Empty,
    Key::Loading,
    Key::StatusSettled,
    Key::StatusActive,
    Key::StatusOpen,
    Key::StatusDue,
    Key::StatusRejected,
    Key::StatusVoid,
    Key::StatusRecorded,
    Key::CatalogueOnDevice,
    Key::ItemsUnit,
    Key::DownloadingCatalogue,
    Key::DownloadingPolicy,
];

/// The label of a synced record's status, as the server names it.
pub fn status_key(status: &str) -> Option<Key> {
    Some(match status {
        "settled" => Key::StatusSettled,
        "active" => Key::StatusActive,
        "open" => Key::StatusOpen,
        "due" => Key::StatusDue,
        "rejected" => Key::StatusRejected,
        "void" => Key::StatusVoid,
        "recorded" => Key::StatusRecorded,
        _ => return None,
    })
}

pub fn text(lang: Lang, key: Key) -> &'static str {
    let (zh, en) = match key {
        Key::AppName => ("村保", "Cunbao"),
        Key::Tagline => ("村卫生室医保服务台", "Village clinic health-insurance desk"),
        Key::SwitchLanguage => ("English", "中文"),
        Key::NavHome => ("首页", "Home"),
        Key::NavResidents => ("参保登记", "Residents & enrolment"),
        Key::NavSettlement => ("门诊结算", "Outpatient settlement"),
        Key::NavSync => ("数据同步", "Sync"),
        Key::NavTownship => ("乡镇审核", "Township"),
        Key::Online => ("在线", "Online"),
        Key::Offline => ("离线", "Offline"),
        Key::DeviceStatus => ("本机状态", "This device"),
        Key::DeviceId => ("设备编号", "Device ID"),
        Key::LocalDatabase => ("本地数据库", "Local database"),
        Key::DatabaseReady => ("已就绪，结构版本", "ready, schema version"),
        Key::DatabaseOpening => ("正在打开…", "opening…"),
        Key::DatabaseFailed => ("无法打开", "cannot be opened"),
        Key::AppShell => ("离线使用", "Offline use"),
        Key::ShellOffline => (
            "已缓存，断网后仍可打开本应用",
            "cached: the app opens without a network",
        ),
        Key::ShellNotYet => (
            "尚未缓存，请保持联网直到缓存完成",
            "not cached yet: stay online until caching completes",
        ),
        Key::NotBuiltYet => (
            "此功能尚在建设中，暂不可用。",
            "This section is not built yet.",
        ),
        Key::ResidentsPlan => (
            "将提供：按户参保登记、身份证号校验、缴费与收费凭证打印。",
            "Coming: household enrolment, ID number checks, contributions and printed receipts.",
        ),
        Key::SettlementPlan => (
            "将提供：实名就医核验、按目录录入处方与项目、即时结算与结算单打印。",
            "Coming: identity checks, catalogue lines, on-the-spot settlement and printed slips.",
        ),
        Key::SyncPlan => (
            "登录、同步状态、待上传数量、上次同步时间、未被接受的记录及原因。",
            "Sign-in, sync state, items to upload, last sync time, rejected records and why.",
        ),
        Key::TownshipPlan => (
            "已同步的结算、调整与应退缴费（只读）；审核与月度结算将在后续版本提供。",
            "Synced claims, adjustments and refunds (read-only); review and statements come later.",
        ),
        Key::NotFoundTitle => ("找不到此页面", "Page not found"),
        Key::BackHome => ("返回首页", "Back to home"),
        Key::SignInTitle => ("登录（首次需联网）", "Sign in (online, the first time)"),
        Key::Username => ("用户名", "Username"),
        Key::Password => ("密码", "Password"),
        Key::DeviceName => ("设备名称", "Device name"),
        Key::DefaultDeviceName => ("村卫生室平板", "Clinic tablet"),
        Key::SignIn => ("登录", "Sign in"),
        Key::SigningIn => ("正在登录…", "Signing in…"),
        Key::SignInNeedsNetwork => ("登录需要联网，请联网后再试", "Signing in needs a network; try again when online"),
        Key::SignedInAs => ("当前用户", "Signed in as"),
        Key::SignOut => ("退出登录", "Sign out"),
        Key::SignOutBlocked => ("还有未上传的数据，上传完成后才能退出", "There is work not yet uploaded; sign out after it has synced"),
        Key::NotSignedIn => ("未登录", "Not signed in"),
        Key::Pending => ("待上传", "To upload"),
        Key::LastSync => ("上次同步", "Last sync"),
        Key::Never => ("从未", "never"),
        Key::SyncNow => ("立即同步", "Sync now"),
        Key::Syncing => ("正在同步…", "Syncing…"),
        Key::SyncFailed => ("同步未完成", "Sync did not finish"),
        Key::SyncRetry => ("将自动重试", "will retry automatically"),
        Key::FailedItems => ("未被接受的记录", "Records not accepted"),
        Key::FailedHelp => ("这些记录不会再上传。请按原因处理（如退还重复缴费），需要时联系乡镇服务站。", "These records will not be sent again. Act on the reason (e.g. refund a duplicate payment) and contact the township service point if needed."),
        Key::NoFailed => ("没有未被接受的记录", "No rejected records"),
        Key::Storage => ("本机存储", "Storage on this device"),
        Key::StorageUsed => ("已用", "used"),
        Key::StorageAvailable => ("可用", "available"),
        Key::StoragePersistent => ("已申请持久保存，浏览器不会自动清除", "persistent: the browser will not clear it by itself"),
        Key::StorageNotPersistent => ("未获持久保存许可，空间不足时浏览器可能清除数据", "not persistent: the browser may clear it when space runs low"),
        Key::Notices => ("乡镇通知", "From the township"),
        Key::NoticeAdjustment => ("结算调整", "Settlement adjustment"),
        Key::NoticeRefund => ("应退缴费", "Refund due"),
        Key::NoticeDuplicate => ("重复参保", "Duplicate enrolment"),
        Key::TownshipOnly => ("仅乡镇服务站工作人员可查看本页。", "Only township service-point staff can see this page."),
        Key::TownshipNeedsNetwork => ("乡镇汇总需要联网查看。", "The township summary needs a network."),
        Key::Claims => ("结算记录", "Claims"),
        Key::Adjustments => ("结算调整", "Adjustments"),
        Key::RefundsDue => ("应退缴费", "Refunds due"),
        Key::Enrolments => ("参保登记", "Enrolments"),
        Key::Clinic => ("卫生室", "Clinic"),
        Key::Status => ("状态", "Status"),
        Key::Amount => ("金额", "Amount"),
        Key::Fund => ("统筹支付", "Fund"),
        Key::Record => ("记录", "Record"),
        Key::Empty => ("暂无记录", "Nothing yet"),
        Key::Loading => ("正在加载…", "Loading…"),
        Key::StatusSettled => ("已结算", "settled"),
        Key::StatusActive => ("有效", "active"),
        Key::StatusOpen => ("待处理", "open"),
        Key::StatusDue => ("待退费", "due"),
        Key::StatusRejected => ("未生效", "rejected"),
        Key::StatusVoid => ("已作废", "void"),
        Key::StatusRecorded => ("已登记", "recorded"),
        Key::CatalogueOnDevice => ("医保目录", "Catalogue"),
        Key::ItemsUnit => ("项", "items"),
        Key::DownloadingCatalogue => ("正在下载医保目录", "Downloading the catalogue"),
        Key::DownloadingPolicy => ("正在下载医保政策", "Downloading the policy"),


    };
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_both_languages_and_they_differ() {
        for &key in ALL_KEYS {
            let zh = text(Lang::Zh, key);
            let en = text(Lang::En, key);
            assert!(!zh.is_empty() && !en.is_empty(), "{key:?}");
            assert_ne!(zh, en, "{key:?} is not translated");
            if key == Key::SwitchLanguage {
                continue; // names the other language, in that language
            }
            let has_han = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
            assert!(has_han(zh), "{key:?} has no Chinese: {zh}");
            assert!(!has_han(en), "{key:?}: {en}");
        }
    }

    #[test]
    fn tags_round_trip() {
        for lang in [Lang::Zh, Lang::En] {
            assert_eq!(Lang::from_tag(lang.tag()), Some(lang));
            assert_eq!(lang.other().other(), lang);
        }
        assert_eq!(Lang::default(), Lang::Zh);
        assert_eq!(Lang::from_tag("fr"), None);
    }
}
