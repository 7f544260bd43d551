use axum::extract::{FromRequest, Request};
use axum::Json;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// `Json<T>` whose rejections (bad JSON, wrong types, unknown fields, wrong content type,
/// oversized body) are answered as [`ApiError`]s with a code and both languages.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let Json(value) = Json::<T>::from_request(req, state).await?;
        Ok(ApiJson(value))
    }
}

/// `Query<T>` whose rejections are a `bad_query` [`ApiError`] in both languages.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        let axum::extract::Query(value) =
            axum::extract::Query::<T>::from_request_parts(parts, state)
                .await
                .map_err(|e| {
                    ApiError::bad(
                        "bad_query",
                        format!("查询参数无效：{}", e.body_text()),
                        format!("Invalid query parameters: {}", e.body_text()),
                    )
                })?;
        Ok(ApiQuery(value))
    }
}

/// `Path<T>` whose rejections (a segment that is not UTF-8 once decoded) are a `bad_path`
/// [`ApiError`] in both languages.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> axum::extract::FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        let axum::extract::Path(value) = axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map_err(|e| {
                ApiError::bad(
                    "bad_path",
                    format!("路径参数无效：{}", e.body_text()),
                    format!("Invalid path parameters: {}", e.body_text()),
                )
            })?;
        Ok(ApiPath(value))
    }
}
