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

use cunbao_domain::claim::ClaimStatus;

pub mod labels;
pub use labels::{option_value, DatedLabel, Label};

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
    SeeExisting => ("查看已有参保登记", "See the existing enrolment"),
    NavEnrol => ("参保登记", "Enrol"),
    NavToday => ("今日", "Today"),
    NeedsSetup => ("请先在“数据同步”中登录，完成设备初始化（下载政策、目录与本村参保人）。", "Sign in under Sync first to set up this tablet (policy, catalogue and residents)."),
    SearchResidents => ("身份证号 / 姓名 / 拼音首字母", "ID number / name / pinyin initials"),
    NoMatch => ("没有找到匹配的参保人", "No matching resident"),
    NoSuchClaim => ("本机没有这笔结算记录（可能地址有误，或在另一台平板上办理）", "This tablet has no such settlement (the address may be wrong, or it was done on another tablet)"),
    NoSuchReceipt => ("本机没有这张收费凭证（可能地址有误，或在另一台平板上办理）", "This tablet has no such receipt (the address may be wrong, or it was done on another tablet)"),
    NothingToday => ("今天还没有", "None yet today"),
    GoSignIn => ("去登录", "Sign in"),
    NoPolicyToday => ("本机没有适用于今天的医保政策，暂时不能结算和登记。请联网同步数据；同步后仍然如此，请联系乡镇医保服务站发布本年度政策。", "This tablet has no insurance policy for today, so nothing can be settled or enrolled yet. Sync with a network; if that does not help, ask the township service point to publish this year's policy."),
    EnrollingFor => ("本次登记参保年度", "Enrolling for scheme year"),
    ChooseYear => ("登记哪一年度？", "Enrol for which scheme year?"),
    NextYearOnTime => ("下一年度，集中缴费期内按时参保", "next year, on time in the collection period"),
    ThisYearLate => ("本年度补登记（新参保有等待期；断缴3个月内可补缴）", "this year, late (new enrolees wait; a lapse of up to 3 months is back-paid)"),
    CollectionUntil => ("集中缴费期至", "collection period until"),
    RenewalUntil => ("已参保居民续保截止", "renewal for people already enrolled until"),
    RenewalLate => ("已过续保截止日，续保仍可办理，但将标记为逾期续保（乡镇可见）", "past the renewal deadline: a renewal is still accepted but marked late for the township"),
    LateRenewalMark => ("逾期续保", "Late renewal"),
    LateEnrolment => ("已过集中缴费期，新参保人员有等待期", "after the collection period: new enrolees have a waiting period"),
    TechDetails => ("技术信息（供维护人员查看）", "Technical details (for support staff)"),
    SchemaVersion => ("数据结构版本", "Schema version"),
    DatabaseWorking => ("已就绪，可离线使用", "ready, usable offline"),
    ResidentsOnDevice => ("本机参保人", "Residents on this tablet"),
    PendingDocuments => ("待补资料（容缺受理）", "Papers to bring (accepted as missing)"),
    Deadline => ("截止", "Deadline"),
    NewHousehold => ("新参保户", "New household"),
    AddMember => ("添加成员", "Add member"),
    RemoveMember => ("移除", "Remove"),
    IdNumber => ("身份证号", "ID number"),
    Name => ("姓名", "Name"),
    Relationship => ("与户主关系", "Relationship to head"),
    Phone => ("电话（选填）", "Phone (optional)"),
    SubsidyCategory => ("资助类别", "Subsidy category"),
    EvidenceNumber => ("证明文件编号", "Evidence document number"),
    DisabilityGrade => ("残疾等级", "Disability grade"),
    MissingDocument => ("暂缺资料（选填，容缺受理）", "Paper not brought (optional, accepted as missing)"),
    BirthSex => ("出生日期 / 性别", "Birth date / sex"),
    None => ("无", "None"),
    Member => ("成员", "Member"),
    ContributionDue => ("应缴", "Due"),
    Subsidy => ("资助", "Subsidy"),
    Total => ("合计", "Total"),
    CollectAndSave => ("收取现金并保存", "Collect cash and save"),
    Saving => ("正在保存…", "Saving…"),
    Receipt => ("收费凭证", "Receipt"),
    ReceiptNo => ("凭证号", "Receipt no."),
    Payer => ("缴费人", "Payer"),
    Collector => ("收款人", "Collector"),
    Time => ("时间", "Time"),
    Print58 => ("打印58毫米小票", "Print 58 mm slip"),
    PrintA4 => ("打印A4", "Print A4"),
    SchemeYear => ("参保年度", "Scheme year"),
    Household => ("家庭", "Household"),
    Eligibility => ("待遇资格（今日）", "Eligibility (today)"),
    Eligible => ("已参保", "Enrolled"),
    WaitingUntil => ("等待期至", "Waiting period until"),
    NotEnrolled => ("未参保", "Not enrolled"),
    Suspended => ("已暂停", "Suspended"),
    Coverage => ("保障期", "Coverage"),
    Settle => ("门诊结算", "Settle a visit"),
    AddToHousehold => ("为本户添加成员", "Add to this household"),
    Patient => ("患者", "Patient"),
    FindPatient => ("查找患者", "Find the patient"),
    ChangePatient => ("更换患者", "Change patient"),
    IdentityCheck => ("身份核验方式", "Identity checked by"),
    SocialSecurityCard => ("社保卡", "Social security card"),
    IdCard => ("身份证", "ID card"),
    EVoucher => ("医保电子凭证", "E-voucher QR"),
    Proxy => ("代办（家属）", "Proxy (family)"),
    ProxyId => ("代办人身份证号", "Proxy's ID number"),
    ProxyRelationship => ("代办人与患者关系", "Proxy's relationship"),
    Diagnosis => ("诊断", "Diagnosis"),
    SearchCatalogue => ("药品/项目名称、拼音首字母或编码", "Item name, pinyin initials or code"),
    Quantity => ("数量", "Quantity"),
    Price => ("单价", "Price"),
    Standard => ("支付标准", "Payment standard"),
    Class => ("类别", "Class"),
    Item => ("项目", "Item"),
    AmountCol => ("金额", "Amount"),
    SelfPayFull => ("全自费", "Self-pay"),
    SelfPayNoticeTitle => ("自费告知", "Self-pay notice"),
    SelfPayTold => ("已告知患者：以上自费部分医保不予支付，由本人全额自付，合计", "The patient was told the self-pay parts above are not paid by the scheme and are paid in full by the patient; total"),
    SelfPayPart => ("其中全自费部分（已告知患者）", "Of which self-pay (patient informed)"),
    SelfPayFirst => ("先行自付", "First self-pay"),
    InPolicy => ("政策范围内", "In policy"),
    DeductibleTaken => ("本次起付线", "Deductible taken"),
    FundPays => ("统筹支付", "Fund pays"),
    PatientPays => ("个人支付", "Patient pays"),
    YearToDate => ("年度累计", "Year to date"),
    DeductibleMet => ("已付起付线", "Deductible met"),
    FundPaid => ("统筹已支付", "Fund paid"),
    AccumulatorsFresh => ("来源", "Source"),
    ServerAsOf => ("服务器数据截至", "server figures as of"),
    NoServerFigures => ("服务器尚无数据", "no server figures yet"),
    LocalVisits => ("另加本机未上传就诊", "plus visits on this tablet not yet uploaded"),
    RiskResults => ("智能审核", "Risk checks"),
    NoRisk => ("未发现问题", "No findings"),
    Block => ("禁止", "Block"),
    Warn => ("需说明", "Warn"),
    Flag => ("提示", "Flag"),
    Reason => ("说明理由", "Written reason"),
    ConfirmSettle => ("确认结算", "Confirm settlement"),
    SaveForReview => ("超出离线限额：保存待审核", "Over the offline limit: save for review"),
    PendingReview => ("待乡镇审核", "Pending township review"),
    SettlementSlip => ("门诊结算单", "Outpatient settlement slip"),
    VisitDate => ("就诊日期", "Visit date"),
    Operator => ("经办人", "Operator"),
    NewVisit => ("下一位患者", "Next patient"),
    Remove => ("删除", "Remove"),
    TodayEnrolments => ("今日参保", "Enrolled today"),
    TodayReceipts => ("今日收款（待上缴）", "Receipts today (cash to remit)"),
    TodayClaims => ("今日结算", "Claims today"),
    Void => ("作废", "Void"),
    VoidReason => ("作废理由", "Reason for the void"),
    Voided => ("已作废", "Voided"),
    Uploaded => ("已上传", "Uploaded"),
    NotUploaded => ("未上传", "Not uploaded"),
    CashToRemit => ("待上缴现金合计", "Cash to remit"),
    Back => ("返回", "Back"),
    Pin => ("PIN（6至12位数字，离线解锁用）", "PIN (6 to 12 digits, unlocks offline)"),
    PinConfirm => ("再次输入PIN", "PIN again"),
    LockedTitle => ("平板已锁定", "Tablet locked"),
    ReviewApproved => ("乡镇审核通过", "Approved by the township"),
    ReviewRejected => ("乡镇审核拒付", "Rejected by the township"),
    LockedOutTitle => ("PIN错误次数过多，本机已锁定", "Too many wrong PINs: the tablet is locked"),
    OfflineTooLongTitle => ("本机长时间未联网，已锁定", "Offline too long: the tablet is locked"),
    OfflineTooLongHint => ("本机超过政策规定的天数未与服务器联系，为保护居民信息，PIN已不能再解锁。未上传的数据加密保存在本机，不会丢失。请联网，由本卫生室人员重新登录，登录后会自动上传。", "The tablet has not reached the server for longer than the policy allows; to protect residents' data the PIN no longer unlocks it. Work not yet uploaded stays on the tablet, encrypted, and is not lost. Go online and have someone of this clinic sign in again; it is then uploaded."),
    LockedOutHint => ("为保护居民信息，本机已忘记PIN并退出登录。未上传的数据仍保存在本机，不会丢失。请联网，由本卫生室人员重新登录，登录后会自动上传。", "To protect residents' data the tablet has forgotten the PIN and signed out. Work not yet uploaded stays on the tablet and is not lost. Go online and have someone of this clinic sign in again; it is then uploaded."),
    RevokedTitle => ("此平板已被停用", "This tablet has been revoked"),
    RevokedHint => ("此平板已被乡镇停用，本机数据已清除。如有疑问请联系乡镇医保服务站。", "The township has revoked this tablet and its data has been erased. If in doubt, contact the township medical insurance service station."),
    SignedOutTitle => ("已退出登录", "Signed out"),
    ExpiredTitle => ("登录已过期，请联网重新登录", "The sign-in has expired: sign in again online"),
    ExpiredHint => ("为保护居民信息，登录在一段时间后会过期。未上传的数据仍保留在本机，不会丢失。请联网，由本卫生室人员重新登录，登录后会自动上传。", "To protect residents' data a sign-in expires after a while. Work not yet uploaded stays on the tablet and is not lost. Go online and have someone of this clinic sign in again; it is then uploaded."),
    WorkWaiting => ("本机还有未上传的数据，本卫生室人员联网登录后会自动上传：", "Work not yet uploaded is kept on this tablet; it is uploaded after someone of this clinic signs in online:"),
    TabletClinic => ("本平板所属", "This tablet belongs to"),
    LockedHint => ("请输入本机操作员的PIN解锁（无需联网）。", "Enter the operator's PIN to unlock (no network needed)."),
    Unlock => ("解锁", "Unlock"),
    LockNow => ("锁定", "Lock"),
    OperatorLabel => ("操作员", "Operator"),
    AppName => ("村保", "Cunbao"),
    Tagline => ("村卫生室医保服务台", "Village clinic health-insurance desk"),
    SwitchLanguage => ("English", "中文"),
    NavHome => ("首页", "Home"),
    NavResidents => ("参保人", "Residents"),
    NavSettlement => ("门诊结算", "Settlement"),
    NavSync => ("数据同步", "Sync"),
    NavTownship => ("乡镇记录", "Township records"),
    NavReview => ("审核队列", "Review queue"),
    NavStatements => ("月度结算单", "Statements"),
    NavCash => ("现金解缴", "Cash hand-in"),
    StatementsPlan => (
            "各卫生室每月应付：结算、拒付、调整、收款与解缴；开具、支付、导出CSV、打印A4。",
            "What each clinic is owed per month: claims, rejections, adjustments, receipts and cash; issue, pay, export CSV, print A4.",
        ),
    CashPlan => (
            "登记卫生室上缴的现金，按卫生室查看收款与上缴的差额。",
            "Record the cash clinics hand in; see each clinic's gap between receipts and cash.",
        ),
    Month => ("月份", "Month"),
    StatementState => ("状态", "State"),
    StateDraft => ("草稿", "Draft"),
    StateIssued => ("已开具", "Issued"),
    StatePaid => ("已支付", "Paid"),
    ClaimsCount => ("结算笔数", "Claims"),
    ClaimsTotal => ("医疗费合计", "Claims total"),
    FundPayable => ("统筹应付", "Fund payable"),
    RejectedCount => ("拒付笔数", "Rejected"),
    WaitingReview => ("待审核笔数", "Waiting for review"),
    ReceiptsCount => ("收款张数", "Receipts"),
    ReceiptsTotal => ("收款合计", "Receipts total"),
    CashHandedIn => ("已上缴现金", "Cash handed in"),
    NetPayable => ("应付卫生室净额", "Net payable to the clinic"),
    DownloadCsv => ("导出CSV", "Download CSV"),
    DownloadLinesCsv => ("导出明细CSV", "Download lines CSV"),
    IssueStatement => ("开具结算单（锁定）", "Issue the statement (locks it)"),
    MarkPaid => ("标记已支付", "Mark paid"),
    PaidOn => ("支付日期", "Paid on"),
    PaymentReference => ("支付凭证号", "Payment reference"),
    StatementTitle => ("月度结算单", "Monthly statement"),
    BackToStatements => ("← 返回月度结算单", "← Back to the statements"),
    Carried => ("上期调整", "Carried adjustment"),
    Payable => ("本期应付", "Payable"),
    IssuedBy => ("开具人", "Issued by"),
    SignTownship => ("乡镇经办人（签字）：", "Township officer (signature):"),
    SignReviewer => ("复核人（签字）：", "Checked by (signature):"),
    SignClinic => ("卫生室负责人（签字）：", "Clinic head (signature):"),
    Gap => ("未上缴差额", "Gap"),
    CashConfirmed => ("乡镇已确认的收款与上缴（全部）", "Receipts and cash confirmed by the township (all)"),
    HandIns => ("上缴记录", "Hand-ins"),
    RecordHandIn => ("登记上缴", "Record a hand-in"),
    ReceivedOn => ("收到日期", "Received on"),
    ReceiptsCovered => ("对应收据号", "Receipts covered"),
    AmountYuan => ("金额（元）", "Amount (yuan)"),
    NoStatementLines => ("本期没有结算。", "No claims on this statement."),
    All => ("全部", "All"),
    PriceDifferences => ("单价与目录不同的收费行：", "Lines priced unlike the catalogue: "),
    NoRuleHits => ("服务器的规则未发现疑点。", "The server's rules found nothing."),
    Choose => ("请选择", "Choose"),
    Open => ("查看", "Open"),
    Approve => ("通过", "Approve"),
    Reject => ("拒付", "Reject"),
    Rule => ("疑点规则", "Rule"),
    Waiting => ("已等待", "Waiting"),
    Over24Hours => ("超过24小时", "Over 24 hours"),
    Over48Hours => ("超过48小时", "Over 48 hours"),
    QueueEmpty => ("没有待审核的结算。", "Nothing waits for review."),
    SelectAll => ("全选", "Select all"),
    Select => ("选择", "Select"),
    HoursUnit => ("小时", "h"),
    FundTablet => ("统筹（平板）", "Fund (tablet)"),
    FundServer => ("统筹（服务器）", "Fund (server)"),
    ReviewNote => ("说明（选“其他”时必填）", "Note (required with “other”)"),
    ReviewClaimTitle => ("结算审核", "Claim review"),
    BackToQueue => ("← 返回审核队列", "← Back to the review queue"),
    ClinicReason => ("卫生室说明", "Clinic's reason"),
    RulesFound => ("服务器发现的疑点", "What the server's rules found"),
    Lines => ("收费明细", "Lines"),
    PriceTablet => ("单价（平板）", "Price (tablet)"),
    PriceServer => ("单价（目录）", "Price (catalogue)"),
    FiguresSideBySide => ("平板与服务器结算对照", "Tablet and server figures side by side"),
    RecentVisits => ("该参保人近30天在本镇的其他就诊", "The patient's other visits in the township, last 30 days"),
    NoRecentVisits => ("近30天没有其他就诊。", "No other visits in the last 30 days."),
    OnTablet => ("平板", "Tablet"),
    OnServer => ("服务器", "Server"),
    TownshipTagline => ("乡镇医保服务站", "Township service point"),
    Online => ("在线", "Online"),
    Offline => ("离线", "Offline"),
    DeviceStatus => ("本机状态", "This device"),
    DeviceId => ("设备编号", "Device ID"),
    LocalDatabase => ("本地数据库", "Local database"),
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
    ResidentsPlan => ("按身份证号、姓名或拼音首字母查找参保人，查看家庭与待遇资格。", "Find residents by ID number, name or pinyin initials; households and eligibility."),
    EnrolPlan => ("按户参保登记、身份证号校验、资助证明、缴费与收费凭证打印。", "Household enrolment, ID number checks, subsidy evidence, contributions and receipts."),
    SettlementPlan => ("实名就医核验、按目录录入、即时结算、智能审核与结算单打印。", "Identity checks, catalogue lines, on-the-spot settlement, risk checks and slips."),
    TodayPlan => ("今日参保、收款（待上缴现金）与结算；未上传的结算可作废。", "Today's enrolments, receipts (cash to remit) and claims; void before upload."),
    SyncPlan => (
            "登录、同步状态、待上传数量、上次同步时间、未被接受的记录及原因。",
            "Sign-in, sync state, items to upload, last sync time, rejected records and why.",
        ),
    TownshipPlan => (
            "各卫生室已同步的结算、调整、应退缴费、慢病认定与参保记录。",
            "What the clinics have synced: claims, adjustments, refunds, chronic qualifications and enrolments.",
        ),
    ReviewPlan => (
            "待审核与疑点结算，按到达先后；可筛选，逐条或批量通过、拒付。",
            "Flagged and held claims, oldest first; filter, then approve or reject one by one or in bulk.",
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
    Contributions => ("缴费记录", "Contributions"),
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
    StatusFlagged => ("待审核", "flagged for review"),
    StatusPendingReview => ("待审批（超出离线限额）", "awaiting approval (over the offline limit)"),
    StatusApproved => ("审核通过", "approved"),
    StatusClaimRejected => ("审核未通过", "rejected in review"),
    StatusOther => ("其他状态", "other"),
    StatusAwaitingTownship => ("退费待乡镇审批", "refund awaiting the township"),
    StatusRefundProposed => ("已申请退费", "refund proposed"),
    CoverStops => ("停保", "Cover stopped"),
    Corrections => ("更正", "Corrections"),
    RefundProposals => ("退费申请", "Refund proposals"),
    VoidProposals => ("作废申请", "Void proposals"),
    RefundsTotal => ("退费金额（已批准）", "Refunds approved"),
    Sampling => ("结果质检（抽查）", "Sampling for a second look"),
    TownshipDecisions => ("乡镇审核结果", "The township's decisions"),
    NoTownshipDecisions => ("暂无乡镇审核结果", "No decisions from the township yet"),
    SamplingHelp => ("按政策比例随机抽取本月已支付的就诊记录复查，抽取种子留档可复现；扣减计入本卫生室结算单的调整。", "A policy-set share of the month's paid claims is drawn at random for a second look; the seed is kept so the draw can be repeated; deductions go on the clinic's statement as adjustments."),
    DrawSample => ("抽取本月复查记录", "Draw this month's sample"),
    SamplingShare => ("抽查比例", "Share"),
    SamplingDrawn => ("抽取", "Drawn"),
    SamplingSeed => ("种子", "Seed"),
    Finding => ("质检结论", "Finding"),
    FindingInOrder => ("合规", "In order"),
    FindingDeducted => ("扣减", "Deducted"),
    DeductionYuan => ("扣减金额（元）", "Deduction (yuan)"),
    FindingReason => ("扣减原因", "Reason"),
    FindingNote => ("说明", "Note"),
    Deduct => ("扣减", "Deduct"),
    FindingLine => ("质检扣减", "sampling deduction"),
    StatusAwaitingSecond => ("待复核", "awaiting a second person"),
    StatusProposalApproved => ("已批准", "approved"),
    StatusProposalRefused => ("已驳回", "refused"),
    StatusRefunded => ("已退费", "refunded"),
    ProposeVoid => ("申请作废", "Propose a void"),
    ProposeVoidHint => ("已上传的结算须经乡镇另一位工作人员复核后作废", "An uploaded claim is voided only when a second person of the township approves"),
    VoidAwaiting => ("作废待乡镇复核", "Void awaiting the township"),
    VoidRefused => ("乡镇驳回作废申请", "The township refused the void"),
    VoidedByTownship => ("已作废（乡镇复核）", "Voided (approved by the township)"),
    RefundDone => ("已退费（乡镇批准）", "Refunded (approved by the township)"),
    RefundRefused => ("退费申请被驳回", "Refund refused by the township"),
    NavProposals => ("双人复核", "Second approvals"),
    ProposalsAwaiting => ("待复核的作废与退费", "Voids and refunds awaiting a second person"),
    ProposalsDecided => ("最近处理", "Recently decided"),
    ProposalsHelp => ("作废已上传的结算、退还参保缴费，须由一人提出、另一人批准；提出人不能批准自己的申请。", "Voiding an uploaded claim or refunding a contribution is proposed by one person and approved by another; nobody approves their own proposal."),
    NoProposals => ("没有待复核的申请", "Nothing awaits a second person"),
    ActionVoidClaim => ("作废就诊记录", "Void a claim"),
    ActionRefund => ("退还参保缴费", "Refund a contribution"),
    ProposedBy => ("提出人", "Proposed by"),
    ProposalReason => ("理由", "Reason"),
    OwnProposal => ("本人提出，须由另一位工作人员复核", "Yours: someone else approves it"),
    Refuse => ("驳回", "Refuse"),
    RefuseNote => ("驳回理由", "Why it is refused"),
    ApproveVoid => ("批准", "Approve"),
    DecidedBy => ("处理人", "Decided by"),
    Changes => ("参保变更", "Changes after enrolment"),
    StopCover => ("停保", "Stop cover"),
    StopFrom => ("停保日期（当天起暂停待遇）", "Stop from (suspended from that day)"),
    StopReason => ("停保原因", "Reason"),
    ChooseStopReason => ("请选择停保原因", "Choose a reason"),
    Male => ("男", "Male"),
    TownshipNotDesk => ("乡镇服务站工作人员不在本机办理参保、收费和结算；请在“乡镇审核”中查看各村卫生室上报的数据", "Township staff do not enrol, collect or settle on this device; see the clinics' work under Township review"),
    Female => ("女", "Female"),
    StoppedFrom => ("已停保，自", "Cover stopped from"),
    ConfirmStop => ("确认停保", "Stop cover"),
    Correct => ("更正姓名/电话", "Correct name or phone"),
    CorrectField => ("更正项目", "What to correct"),
    CorrectName => ("姓名", "Name"),
    CorrectPhone => ("电话", "Phone"),
    NewValue => ("更正为", "Correct to"),
    ConfirmCorrect => ("保存更正", "Save correction"),
    IdNotCorrectedHere => ("身份证号有误须作废后重新登记，经乡镇审核", "A wrong ID number is corrected by voiding and enrolling again, with the township's review"),
    CorrectionHistory => ("更正记录", "Correction history"),
    Earlier => ("原为", "was"),
    ChangedTo => ("改为", "now"),
    By => ("经办", "by"),
    Device => ("设备", "device"),
    HouseholdReceipts => ("本户收费凭证", "Receipts of the household"),
    ProposeRefund => ("申请退费", "Propose refund"),
    RefundReason => ("退费原因", "Refund reason"),
    RefundAwaiting => ("退费待乡镇审批", "Refund awaiting the township"),
    PhoneLabel => ("电话", "Phone"),
    ThisTablet => ("本机", "this tablet"),
    CatalogueOnDevice => ("医保目录", "Catalogue"),
    ItemsUnit => ("项", "items"),
    DownloadingCatalogue => ("正在下载医保目录", "Downloading the catalogue"),
    DownloadingPolicy => ("正在下载医保政策", "Downloading the policy"),
    Qualifications => ("慢特病认定", "Chronic qualifications"),
    QualificationPending => ("待乡镇审核", "awaiting the township"),
    QualificationApproved => ("已认定", "approved"),
    QualificationRejected => ("未通过", "not approved"),
    ValidPeriod => ("有效期", "Valid"),
    AppliedOn => ("申请日期", "Applied on"),
    QualificationEvidence => ("医院诊断证明", "Hospital diagnosis document"),
    EvidenceHint => ("如：县人民医院诊断证明 2025-0118", "e.g. county hospital diagnosis certificate 2025-0118"),
    RejectionReason => ("原因", "Reason"),
    NoQualifications => ("尚无认定；慢特病待遇须经乡镇认定后享受", "None yet; the chronic benefit needs a qualification approved by the township"),
    ApplyQualification => ("申请慢特病认定", "Apply for a chronic qualification"),
    ChronicCondition => ("病种", "Condition"),
    SubmitApplication => ("提交申请", "Submit the application"),
    ApplyNeedsEnrolment => ("本年度未在本卫生室参保，不能在此申请认定", "Not enrolled here for this year: no application can be filed here"),
    ApplicationSaved => ("申请已保存，同步后由乡镇审核", "Application saved; the township decides after the next sync"),
    Benefit => ("待遇类型", "Benefit"),
    DeductibleLabel => ("起付线", "deductible"),
    RatioLabel => ("报销比例", "fund pays"),
}

/// The label of a synced record's status, as the server names it.
/// A key's text in both languages, for a message kept until the language is known.
pub fn both(key: Key) -> cunbao_domain::text::Text {
    cunbao_domain::text::Text::new(text(Lang::Zh, key), text(Lang::En, key))
}

/// The words for a record's status in the township's lists; a claim's status is read as
/// the claim state machine's. A status this version does not know shows as "other", never as
/// its code.
pub fn status_key(kind: &str, status: &str) -> Key {
    if kind == "claim" {
        return ClaimStatus::parse(status).map_or(Key::StatusOther, labels::claim_status_key);
    }
    if kind == "qualification" {
        return labels::qualification_status_key(status);
    }
    if kind == "void_proposal" && status == "awaiting_approval" {
        return Key::StatusAwaitingSecond;
    }
    match status {
        "active" => Key::StatusActive,
        "open" => Key::StatusOpen,
        "due" => Key::StatusDue,
        "rejected" => Key::StatusRejected,
        "void" => Key::StatusVoid,
        "recorded" => Key::StatusRecorded,
        "awaiting_approval" => Key::StatusAwaitingTownship,
        "refund_proposed" => Key::StatusRefundProposed,
        "refunded" => Key::StatusRefunded,
        "approved" => Key::StatusProposalApproved,
        "refused" => Key::StatusProposalRefused,
        _ => Key::StatusOther,
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
