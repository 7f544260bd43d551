//! Sample territory and users: 两江镇 with three village clinics and a user for every role.
//! Seeded by `./run.sh` (CUNBAO_SAMPLE_DATA=1) and by tests; idempotent.

use cunbao_domain::sync::Role;
use sqlx::AnyPool;

use crate::auth::hash_password;

pub use cunbao_domain::users::SAMPLE_PASSWORD;

/// Each sample clinic's enrolment target for the year.
pub const SAMPLE_ENROLMENT_TARGET: i64 = 500;

pub struct SampleUser {
    pub username: &'static str,
    pub display_name: &'static str,
    pub role: Role,
    pub clinic: Option<&'static str>,
}

pub struct Territory {
    pub township: (&'static str, &'static str),
    pub clinics: &'static [(&'static str, &'static str)],
    pub users: &'static [SampleUser],
}

pub const LIANGJIANG: Territory = Territory {
    township: ("twp-liangjiang", "两江镇"),
    clinics: &[
        ("clinic-lijia", "李家村卫生室"),
        ("clinic-daping", "大坪村卫生室"),
        ("clinic-shimen", "石门村卫生室"),
    ],
    users: &[
        SampleUser {
            username: "lijia",
            display_name: "王秀兰（李家村卫生室）",
            role: Role::ClinicAssistant,
            clinic: Some("clinic-lijia"),
        },
        SampleUser {
            username: "daping",
            display_name: "黄建国（大坪村卫生室）",
            role: Role::ClinicAssistant,
            clinic: Some("clinic-daping"),
        },
        SampleUser {
            username: "shimen",
            display_name: "莫桂芳（石门村卫生室）",
            role: Role::ClinicAssistant,
            clinic: Some("clinic-shimen"),
        },
        SampleUser {
            username: "shenhe",
            display_name: "覃明（两江镇医保服务站审核员）",
            role: Role::TownshipReviewer,
            clinic: None,
        },
        SampleUser {
            username: "admin",
            display_name: "梁志强（两江镇管理员）",
            role: Role::Administrator,
            clinic: None,
        },
        // A second assistant of the same clinic, sharing its tablet (last, so that the
        // sample residents of the other clinics stay as they were).
        SampleUser {
            username: "lijia2",
            display_name: "韦春燕（李家村卫生室）",
            role: Role::ClinicAssistant,
            clinic: Some("clinic-lijia"),
        },
    ],
};

/// Inserts the territory and its users (password [`SAMPLE_PASSWORD`]) unless already there.
pub async fn seed(pool: &AnyPool, territory: &Territory) -> Result<(), sqlx::Error> {
    let (township, name) = territory.township;
    sqlx::query("INSERT INTO townships (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING")
        .bind(township)
        .bind(name)
        .execute(pool)
        .await?;
    for (id, name) in territory.clinics {
        sqlx::query(
            "INSERT INTO clinics (id, township_id, name) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(township)
        .bind(name)
        .execute(pool)
        .await?;
    }
    let hash = hash_password(SAMPLE_PASSWORD);
    for user in territory.users {
        sqlx::query(
            "INSERT INTO users (username, display_name, password_hash, role, township_id, clinic_id) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (username) DO NOTHING",
        )
        .bind(user.username)
        .bind(user.display_name)
        .bind(&hash)
        .bind(user.role.as_str())
        .bind(township)
        .bind(user.clinic)
        .execute(pool)
        .await?;
    }
    // What the township expects each sample clinic to enrol (its dashboard's target).
    sqlx::query(
        "UPDATE clinics SET enrolment_target = $1 WHERE township_id = $2 \
         AND enrolment_target IS NULL",
    )
    .bind(SAMPLE_ENROLMENT_TARGET)
    .bind(township)
    .execute(pool)
    .await?;
    let usernames: Vec<&str> = territory.users.iter().map(|u| u.username).collect();
    crate::users::mark_samples(pool, &usernames).await
}
