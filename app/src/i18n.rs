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
];

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
            "将提供：登录与设备初始化、待上传数量、上次同步时间、失败原因。",
            "Coming: sign-in and device setup, pending items, last sync time, failure reasons.",
        ),
        Key::TownshipPlan => (
            "将提供：审核队列、月度结算、目录发布与统计。",
            "Coming: review queue, monthly statements, catalogue publishing and dashboards.",
        ),
        Key::NotFoundTitle => ("找不到此页面", "Page not found"),
        Key::BackHome => ("返回首页", "Back to home"),
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
