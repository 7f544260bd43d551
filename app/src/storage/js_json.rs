//! Values cross between Rust and IndexedDB as one JSON text each way (`JSON.parse` /
//! `JSON.stringify`): one call and one string copy per record, where walking the value field
//! by field costs a call per key and per string.

use js_sys::JSON;
use serde_json::Value;
use wasm_bindgen::JsValue;

use super::StorageError;

fn format(e: impl std::fmt::Display) -> StorageError {
    StorageError::Format(e.to_string())
}

/// Several values written in one crossing: one JSON text of them all, parsed once.
pub fn to_js_all<'a>(
    values: impl Iterator<Item = &'a Value>,
) -> Result<Vec<JsValue>, StorageError> {
    let text = serde_json::to_string(&values.collect::<Vec<_>>()).map_err(format)?;
    Ok(js_sys::Array::from(&text_to_js(&text)?).to_vec())
}

/// The JavaScript value of a record's JSON text.
pub fn text_to_js(text: &str) -> Result<JsValue, StorageError> {
    JSON::parse(text).map_err(|e| format(format!("{e:?}")))
}

/// Text of a stored JavaScript value (an array of them reads as one text).
fn text_of(value: &JsValue) -> Result<String, StorageError> {
    JSON::stringify(value)
        .map_err(|e| format(format!("{e:?}")))?
        .as_string()
        .ok_or_else(|| format("not a JSON value"))
}

pub fn from_js(value: &JsValue) -> Result<Value, StorageError> {
    serde_json::from_str(&text_of(value)?).map_err(format)
}

/// Several stored values read in one crossing.
pub fn from_js_all(values: &[JsValue]) -> Result<Vec<Value>, StorageError> {
    let array: js_sys::Array = values.iter().collect();
    serde_json::from_str(&text_of(&array)?).map_err(format)
}
