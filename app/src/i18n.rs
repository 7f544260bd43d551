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

/// Declares every interface text once: the `Key` variant, its Chinese and its English.
macro_rules! texts {
    ($($key:ident => ($zh:expr, $en:expr $(,)?),)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Key {
            $($key,)*
        }

        pub const ALL_KEYS: &[Key] = &[$(Key::$key,)*];

        pub fn text(lang: Lang, key: Key) -> &'static str {
            let (zh, en) = match key {
                $(Key::$key => ($zh, $en),)*
            };
            match lang {
                Lang::Zh => zh,
                Lang::En => en,
            }
        }
    };
}

texts! {
    Pin => ("PIN（6位数字，离线解锁用）", "PIN (6 digits, unlocks offline)"),
    PinConfirm => ("再次输入PIN", "PIN again"),
    LockedTitle => ("平板已锁定", "Tablet locked"),
    LockedHint => ("请输入本机操作员的PIN解锁（无需联网）。", "Enter the operator's PIN to unlock (no network needed)."),
    Unlock => ("解锁", "Unlock"),
    LockNow => ("锁定", "Lock"),
    OperatorLabel => ("操作员", "Operator"),
    AppName => ("村保", "Cunbao"),
    Tagline => ("村卫生室医保服务台", "Village clinic health-insurance desk"),
    SwitchLanguage => ("English", "中文"),
    NavHome => ("首页", "Home"),
    NavResidents => ("参保登记", "Residents & enrolment"),
    NavSettlement => ("门诊结算", "Outpatient settlement"),
    NavSync => ("数据同步", "Sync"),
    NavTownship => ("乡镇审核", "Township"),
    Online => ("在线", "Online"),
    Offline => ("离线", "Offline"),
    DeviceStatus => ("本机状态", "This device"),
    DeviceId => ("设备编号", "Device ID"),
    LocalDatabase => ("本地数据库", "Local database"),
    DatabaseReady => ("已就绪，结构版本", "ready, schema version"),
    DatabaseOpening => ("正在打开…", "opening…"),
    DatabaseFailed => ("无法打开", "cannot be opened"),
    AppShell => ("离线使用", "Offline use"),
    ShellOffline => (
            "已缓存，断网后仍可打开本应用",
            "cached: the app opens without a network",
        ),
    ShellNotYet => (
            "尚未缓存，请保持联网直到缓存完成",
            "not cached yet: stay online until caching completes",
        ),
    NotBuiltYet => (
            "此功能尚在建设中，暂不可用。",
            "This section is not built yet.",
        ),
    ResidentsPlan => (
            "将提供：按户参保登记、身份证号校验、缴费与收费凭证打印。",
            "Coming: household enrolment, ID number checks, contributions and printed receipts.",
        ),
    SettlementPlan => (
            "将提供：实名就医核验、按目录录入处方与项目、即时结算与结算单打印。",
            "Coming: identity checks, catalogue lines, on-the-spot settlement and printed slips.",
        ),
    SyncPlan => (
            "登录、同步状态、待上传数量、上次同步时间、未被接受的记录及原因。",
            "Sign-in, sync state, items to upload, last sync time, rejected records and why.",
        ),
    TownshipPlan => (
            "已同步的结算、调整与应退缴费（只读）；审核与月度结算将在后续版本提供。",
            "Synced claims, adjustments and refunds (read-only); review and statements come later.",
        ),
    NotFoundTitle => ("找不到此页面", "Page not found"),
    BackHome => ("返回首页", "Back to home"),
    SignInTitle => ("登录（首次需联网）", "Sign in (online, the first time)"),
    Username => ("用户名", "Username"),
    Password => ("密码", "Password"),
    DeviceName => ("设备名称", "Device name"),
    DefaultDeviceName => ("村卫生室平板", "Clinic tablet"),
    SignIn => ("登录", "Sign in"),
    SigningIn => ("正在登录…", "Signing in…"),
    SignInNeedsNetwork => ("登录需要联网，请联网后再试", "Signing in needs a network; try again when online"),
    SignedInAs => ("当前用户", "Signed in as"),
    SignOut => ("退出登录", "Sign out"),
    SignOutBlocked => ("还有未上传的数据，上传完成后才能退出", "There is work not yet uploaded; sign out after it has synced"),
    NotSignedIn => ("未登录", "Not signed in"),
    Pending => ("待上传", "To upload"),
    LastSync => ("上次同步", "Last sync"),
    Never => ("从未", "never"),
    SyncNow => ("立即同步", "Sync now"),
    Syncing => ("正在同步…", "Syncing…"),
    SyncFailed => ("同步未完成", "Sync did not finish"),
    SyncRetry => ("将自动重试", "will retry automatically"),
    FailedItems => ("未被接受的记录", "Records not accepted"),
    FailedHelp => ("这些记录不会再上传。请按原因处理（如退还重复缴费），需要时联系乡镇服务站。", "These records will not be sent again. Act on the reason (e.g. refund a duplicate payment) and contact the township service point if needed."),
    NoFailed => ("没有未被接受的记录", "No rejected records"),
    Storage => ("本机存储", "Storage on this device"),
    StorageUsed => ("已用", "used"),
    StorageAvailable => ("可用", "available"),
    StoragePersistent => ("已申请持久保存，浏览器不会自动清除", "persistent: the browser will not clear it by itself"),
    StorageNotPersistent => ("未获持久保存许可，空间不足时浏览器可能清除数据", "not persistent: the browser may clear it when space runs low"),
    Notices => ("乡镇通知", "From the township"),
    NoticeAdjustment => ("结算调整", "Settlement adjustment"),
    NoticeRefund => ("应退缴费", "Refund due"),
    NoticeDuplicate => ("重复参保", "Duplicate enrolment"),
    TownshipOnly => ("仅乡镇服务站工作人员可查看本页。", "Only township service-point staff can see this page."),
    TownshipNeedsNetwork => ("乡镇汇总需要联网查看。", "The township summary needs a network."),
    Claims => ("结算记录", "Claims"),
    Adjustments => ("结算调整", "Adjustments"),
    RefundsDue => ("应退缴费", "Refunds due"),
    Enrolments => ("参保登记", "Enrolments"),
    Clinic => ("卫生室", "Clinic"),
    Status => ("状态", "Status"),
    Amount => ("金额", "Amount"),
    Fund => ("统筹支付", "Fund"),
    Record => ("记录", "Record"),
    Empty => ("暂无记录", "Nothing yet"),
    Loading => ("正在加载…", "Loading…"),
    StatusSettled => ("已结算", "settled"),
    StatusActive => ("有效", "active"),
    StatusOpen => ("待处理", "open"),
    StatusDue => ("待退费", "due"),
    StatusRejected => ("未生效", "rejected"),
    StatusVoid => ("已作废", "void"),
    StatusRecorded => ("已登记", "recorded"),
    CatalogueOnDevice => ("医保目录", "Catalogue"),
    ItemsUnit => ("项", "items"),
    DownloadingCatalogue => ("正在下载医保目录", "Downloading the catalogue"),
    DownloadingPolicy => ("正在下载医保政策", "Downloading the policy"),
}

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
