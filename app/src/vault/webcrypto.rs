//! The few WebCrypto calls the vault makes: random bytes, AES-GCM, HMAC-SHA-256 and PBKDF2.
//! Every key made here is non-extractable: its bytes never leave the browser's crypto.

use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, SubtleCrypto};

use crate::storage::StorageError;

/// The AES-GCM nonce length; a fresh random one per encryption, stored before the ciphertext.
pub const IV_LEN: usize = 12;

fn failed(what: &str, e: JsValue) -> StorageError {
    StorageError::Operation(format!("{what}: {e:?}"))
}

fn crypto() -> Result<web_sys::Crypto, StorageError> {
    web_sys::window()
        .ok_or_else(|| StorageError::Operation("no window".into()))?
        .crypto()
        .map_err(|e| failed("crypto", e))
}

fn subtle() -> Result<SubtleCrypto, StorageError> {
    Ok(crypto()?.subtle())
}

/// `n` bytes from the browser's CSPRNG.
pub fn random_bytes(n: usize) -> Result<Vec<u8>, StorageError> {
    let mut buf = vec![0u8; n];
    crypto()?
        .get_random_values_with_u8_array(&mut buf)
        .map_err(|e| failed("random", e))?;
    Ok(buf)
}

fn object(pairs: &[(&str, &JsValue)]) -> Object {
    let object = Object::new();
    for (key, value) in pairs {
        let _ = Reflect::set(&object, &JsValue::from_str(key), value);
    }
    object
}

fn usages(list: &[&str]) -> JsValue {
    list.iter()
        .map(|u| JsValue::from_str(u))
        .collect::<Array>()
        .into()
}

async fn settle(what: &str, promise: Result<Promise, JsValue>) -> Result<JsValue, StorageError> {
    JsFuture::from(promise.map_err(|e| failed(what, e))?)
        .await
        .map_err(|e| failed(what, e))
}

fn bytes_of(buffer: JsValue) -> Vec<u8> {
    Uint8Array::new(&buffer).to_vec()
}

async fn import(raw: &[u8], algorithm: &Object, uses: &[&str]) -> Result<CryptoKey, StorageError> {
    let data = Uint8Array::from(raw);
    let key = settle(
        "importKey",
        subtle()?.import_key_with_object("raw", &data, algorithm, false, &usages(uses)),
    )
    .await?;
    key.dyn_into().map_err(|e| failed("importKey", e))
}

/// An AES-256-GCM key from its 32 bytes.
pub async fn aes_key(raw: &[u8]) -> Result<CryptoKey, StorageError> {
    let algorithm = object(&[("name", &"AES-GCM".into())]);
    import(raw, &algorithm, &["encrypt", "decrypt"]).await
}

/// An HMAC-SHA-256 key from its bytes.
pub async fn hmac_key(raw: &[u8]) -> Result<CryptoKey, StorageError> {
    let algorithm = object(&[("name", &"HMAC".into()), ("hash", &"SHA-256".into())]);
    import(raw, &algorithm, &["sign"]).await
}

/// The AES-256-GCM key a PIN and salt give through PBKDF2-SHA-256 with `iterations` rounds.
pub async fn pin_key(pin: &str, salt: &[u8], iterations: u32) -> Result<CryptoKey, StorageError> {
    let subtle = subtle()?;
    let base = settle(
        "importKey",
        subtle.import_key_with_str(
            "raw",
            &Uint8Array::from(pin.as_bytes()),
            "PBKDF2",
            false,
            &usages(&["deriveKey"]),
        ),
    )
    .await?
    .dyn_into::<CryptoKey>()
    .map_err(|e| failed("importKey", e))?;
    let params = object(&[
        ("name", &"PBKDF2".into()),
        ("salt", &Uint8Array::from(salt).into()),
        ("iterations", &JsValue::from(iterations)),
        ("hash", &"SHA-256".into()),
    ]);
    let derived = object(&[("name", &"AES-GCM".into()), ("length", &JsValue::from(256))]);
    settle(
        "deriveKey",
        subtle.derive_key_with_object_and_object(
            &params,
            &base,
            &derived,
            false,
            &usages(&["encrypt", "decrypt"]),
        ),
    )
    .await?
    .dyn_into()
    .map_err(|e| failed("deriveKey", e))
}

fn gcm(iv: &[u8], aad: &[u8]) -> Object {
    object(&[
        ("name", &"AES-GCM".into()),
        ("iv", &Uint8Array::from(iv).into()),
        ("additionalData", &Uint8Array::from(aad).into()),
    ])
}

/// `plain` encrypted under `key` with `aad` bound to it: a fresh nonce, then the ciphertext
/// and its tag.
pub async fn encrypt(key: &CryptoKey, aad: &[u8], plain: &[u8]) -> Result<Vec<u8>, StorageError> {
    let iv = random_bytes(IV_LEN)?;
    let sealed = settle(
        "encrypt",
        subtle()?.encrypt_with_object_and_u8_array(&gcm(&iv, aad), key, plain),
    )
    .await?;
    let mut out = iv;
    out.extend(bytes_of(sealed));
    Ok(out)
}

/// The plaintext of [`encrypt`]'s output; `None` when the key or the associated data is not
/// the one it was sealed with, or the bytes were altered.
pub async fn decrypt(
    key: &CryptoKey,
    aad: &[u8],
    sealed: &[u8],
) -> Result<Option<Vec<u8>>, StorageError> {
    if sealed.len() < IV_LEN + 16 {
        return Ok(None);
    }
    let (iv, body) = sealed.split_at(IV_LEN);
    let promise = subtle()?.decrypt_with_object_and_u8_array(&gcm(iv, aad), key, body);
    match JsFuture::from(promise.map_err(|e| failed("decrypt", e))?).await {
        Ok(plain) => Ok(Some(bytes_of(plain))),
        // An OperationError: the tag does not verify.
        Err(_) => Ok(None),
    }
}

/// HMAC-SHA-256 of `data` under `key`.
pub async fn mac(key: &CryptoKey, data: &[u8]) -> Result<Vec<u8>, StorageError> {
    let signature = settle(
        "sign",
        subtle()?.sign_with_str_and_u8_array("HMAC", key, data),
    )
    .await?;
    Ok(bytes_of(signature))
}

/// Milliseconds from a monotonic clock, for timing the PIN's key derivation.
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}
