//! Text in both of the interface's languages. Messages that reach a person carry both halves
//! as a [`Text`]; each screen picks the half of its language. Nothing joins the halves into
//! one string to split it again later.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Text {
        Text {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The same words in both languages (a name, a number).
    pub fn same(text: impl Into<String>) -> Text {
        let text = text.into();
        Text {
            zh: text.clone(),
            en: text,
        }
    }

    /// Both halves with the same prefix added, e.g. "第3行：" / "line 3: ".
    pub fn prefixed(self, zh: &str, en: &str) -> Text {
        Text {
            zh: format!("{zh}{}", self.zh),
            en: format!("{en}{}", self.en),
        }
    }
}

/// "中文 / English", for a log line or a command's standard error, where one reader may
/// read either.
impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.zh == self.en {
            f.write_str(&self.zh)
        } else {
            write!(f, "{} / {}", self.zh, self.en)
        }
    }
}

/// Anything that has words for a person: errors of the domain and of the desk.
pub trait Bilingual {
    fn text(&self) -> Text;
}

/// Display ("中文 / English", for logs and a command's standard error) and `Error` for a type
/// whose words come from [`Bilingual`].
#[macro_export]
macro_rules! bilingual_error {
    ($($t:ty),+ $(,)?) => {$(
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&$crate::text::Bilingual::text(self), f)
            }
        }
        impl std::error::Error for $t {}
    )+};
}
