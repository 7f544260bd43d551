//! The township's users (`/api/v1/township/users`) and a user's own password
//! (`/api/v1/auth/password`): what is sent and answered, and the rules a username, a name and a
//! password must meet — checked the same way on the tablet (next to the field) and at the
//! server (which decides).

use serde::{Deserialize, Serialize};

use crate::sync::Role;
use crate::text::Text;

/// The password of the sample accounts `./run.sh` creates: printed in the README, so never
/// accepted as anyone's new password.
pub const SAMPLE_PASSWORD: &str = "cunbao2025";

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// The longest password accepted (argon2 hashes anything; this bounds the work).
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Passwords too common to be worth guessing last.
const COMMON: &[&str] = &[
    "12345678",
    "123456789",
    "1234567890",
    "87654321",
    "password",
    "password1",
    "qwertyui",
    "qwerty123",
    "abc12345",
    "a1234567",
    "iloveyou",
    "woaini1314",
    "5201314520",
];

/// Whether `password` may be `username`'s: at least [`MIN_PASSWORD_CHARS`] characters, not
/// the sample password, not containing the username, not one character repeated, not a
/// common one. The reason in words otherwise.
pub fn check_password(username: &str, password: &str) -> Result<(), Text> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(Text::new(
            format!("密码至少{MIN_PASSWORD_CHARS}位"),
            format!("The password needs at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(Text::new(
            format!("密码最多{MAX_PASSWORD_CHARS}位"),
            format!("The password may have at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    let lower = password.to_lowercase();
    if lower == SAMPLE_PASSWORD {
        return Err(Text::new(
            "不能使用示例账号的公开密码",
            "The sample accounts' published password cannot be used",
        ));
    }
    let name = username.trim().to_lowercase();
    if !name.is_empty() && lower.contains(&name) {
        return Err(Text::new(
            "密码不能包含用户名",
            "The password may not contain the username",
        ));
    }
    let first = password.chars().next();
    if password.chars().all(|c| Some(c) == first) || COMMON.contains(&lower.as_str()) {
        return Err(Text::new(
            "密码太容易被猜到，请换一个",
            "The password is too easy to guess; choose another",
        ));
    }
    Ok(())
}

/// Whether `username` is a username: 3–32 of lower-case letters, digits, `.`, `-` and `_`,
/// beginning with a letter.
pub fn check_username(username: &str) -> Result<(), Text> {
    let ok = (3..=32).contains(&username.len())
        && username.starts_with(|c: char| c.is_ascii_lowercase())
        && username
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(())
    } else {
        Err(Text::new(
            "用户名须为3至32位小写字母、数字、“.”“-”“_”，以字母开头",
            "A username is 3 to 32 lower-case letters, digits, '.', '-' or '_', beginning with \
             a letter",
        ))
    }
}

/// Whether `name` is a display name: 1 to 40 characters once trimmed.
pub fn check_display_name(name: &str) -> Result<(), Text> {
    let chars = name.trim().chars().count();
    if (1..=40).contains(&chars) {
        Ok(())
    } else {
        Err(Text::new(
            "请填写姓名（最多40字）",
            "Give the user's name (at most 40 characters)",
        ))
    }
}

/// A user of the township, as its staff see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserRow {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub clinic_id: Option<String>,
    pub clinic_name: Option<String>,
    /// Disabled: cannot sign in, and their tablets' tokens are refused.
    pub disabled: bool,
    /// Must change the password at the next sign-in (a first or a reset password).
    pub must_change_password: bool,
    /// One of `./run.sh`'s sample accounts, whose password is public.
    pub sample: bool,
    /// Devices signed in and not revoked.
    pub devices: u32,
}

/// A clinic of the township, to assign a user to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClinicRef {
    pub id: String,
    pub name: String,
}

/// `GET /township/users`: the township's users and its clinics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TownshipUsers {
    pub users: Vec<UserRow>,
    pub clinics: Vec<ClinicRef>,
}

/// `POST /township/users`: a new user with a first password they must change at their first
/// sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The clinic, for a clinic assistant (and only for one).
    #[serde(default)]
    pub clinic_id: Option<String>,
    pub first_password: String,
}

/// `POST /township/users/{username}`: what an administrator changes about a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "change", rename_all = "snake_case", deny_unknown_fields)]
pub enum UserChange {
    /// A new password, to be changed at the next sign-in.
    ResetPassword {
        password: String,
    },
    /// No sign-in, and every token of theirs refused, until enabled again.
    Disable,
    Enable,
    /// A clinic assistant moves to another clinic of the township; their tablets sign in
    /// again (the work not yet uploaded stays on them).
    MoveToClinic {
        clinic_id: String,
    },
}

/// `POST /auth/password`: the signed-in user changes their own password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_refused_for_what_makes_them_weak() {
        assert!(
            check_password("lijia", "松树坡2号院").is_err(),
            "7 characters"
        );
        assert!(
            check_password("lijia", "Cunbao2025").is_err(),
            "the sample password"
        );
        assert!(
            check_password("lijia", "lijia-2026!").is_err(),
            "contains the username"
        );
        assert!(
            check_password("lijia", "LIJIA2026x").is_err(),
            "in any case"
        );
        assert!(
            check_password("lijia", "88888888").is_err(),
            "one character"
        );
        assert!(check_password("lijia", "12345678").is_err(), "common");
        assert!(
            check_password("lijia", &"x1".repeat(65)).is_err(),
            "too long"
        );
        assert!(check_password("lijia", "松树坡2号院子里").is_ok());
        assert!(check_password("lijia", "green-tea-44").is_ok());
    }

    #[test]
    fn usernames_are_plain_lower_case() {
        for ok in ["wang", "wang.xl", "lijia-2", "a_b"] {
            assert!(check_username(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "ab",
            "Wang",
            "2wang",
            "王秀兰",
            "wang xl",
            &"a".repeat(33),
        ] {
            assert!(check_username(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_change_reads_from_its_tag() {
        let change: UserChange =
            serde_json::from_str(r#"{"change":"move_to_clinic","clinic_id":"c"}"#).unwrap();
        assert_eq!(
            change,
            UserChange::MoveToClinic {
                clinic_id: "c".into()
            }
        );
        assert!(serde_json::from_str::<UserChange>(r#"{"change":"make_admin"}"#).is_err());
    }
}
