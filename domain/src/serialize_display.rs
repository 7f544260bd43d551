//! Value types written as their text: serialised straight from `Display`, without the
//! `String` that `#[serde(into = "String")]` would allocate (or clone) for every value — a
//! push writes hundreds of thousands of amounts, prices and codes.

/// `impl Serialize` for each type, as its `Display` text.
#[macro_export]
macro_rules! serialize_by_display {
    ($($ty:ty),* $(,)?) => {
        $(
            impl serde::Serialize for $ty {
                fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    serializer.collect_str(self)
                }
            }
        )*
    };
}
