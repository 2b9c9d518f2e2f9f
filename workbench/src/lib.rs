//! `zhili serve`: the policy-office workbench — a local web page to tune indicator weights,
//! save and compare scenarios, and export them; all of it served by one binary, offline.
//!
//! - [`serve`] binds, prints nothing itself (the caller gets the address), and runs until
//!   Ctrl-C; [`router`] gives the same routes for tests (`tower::ServiceExt::oneshot`).
//! - The page uses only the versioned HTTP API under `/api/v1/` (documented in the README).
//! - Scenarios live in one SQLite file (WAL, numbered migrations, versions, soft delete).
//!
//! Weights do not enter any step before aggregation, so the stage the aggregation reads is
//! computed once per (data, pipeline) and a weights-only change only re-aggregates it, with
//! the same call as [`zhili_core::Pipeline::run`]: the numbers are `zhili score --weights`'s.

mod api;
mod assets;
mod config;
mod error;
mod export;
mod jobs;
mod report;
mod security;
mod state;
pub mod store;

use std::net::SocketAddr;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

pub use config::Config;
pub use error::ApiError;
pub use state::AppState;

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// Binding a non-loopback address without a token.
    #[error("refusing to listen on {0} without --token: anyone on the network could change the scenarios (use --host 127.0.0.1, or set --token)")]
    Unprotected(std::net::IpAddr),
    /// The scenario store cannot be opened.
    #[error("cannot open the scenario store {0}")]
    Store(String),
    /// The inputs are not usable (e.g. the period asked for is not in the data).
    #[error("{0}")]
    Input(String),
    /// Network errors (address in use, ...).
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Every route of the workbench on `state`.
pub fn router(state: AppState) -> Router {
    let max_body = state.inner.max_body;
    let max_upload = state.inner.max_upload;
    let api = Router::new()
        .route("/framework", get(api::framework::get))
        .route("/score", post(api::score::post))
        .route("/weights/ahp", post(api::weights::ahp_post))
        .route("/weights/method", post(api::weights::method_post))
        .route("/units/{unit}", post(api::units::post))
        .route("/uncertainty", post(api::uncertainty::start))
        .route("/uncertainty/{job}", get(api::uncertainty::status).delete(api::uncertainty::cancel))
        .route("/data", post(api::data::upload).layer(DefaultBodyLimit::max(max_upload)))
        .route("/data/{upload}/apply", post(api::data::apply))
        .route("/scenarios", get(api::scenarios::list).post(api::scenarios::create))
        .route(
            "/scenarios/{id}",
            get(api::scenarios::get)
                .put(api::scenarios::save)
                .patch(api::scenarios::rename)
                .delete(api::scenarios::delete),
        )
        .route("/scenarios/{id}/versions", get(api::scenarios::versions))
        .route("/scenarios/{id}/duplicate", post(api::scenarios::duplicate))
        .route("/scenarios/{id}/restore", post(api::scenarios::restore))
        .route("/scenarios/{id}/export/{format}", get(api::export::get))
        .route("/compare", get(api::compare::get))
        .fallback(|| async {
            ApiError::not_found("no such API endpoint (see the README's Workbench section)").with("kind", "unknown_endpoint")
        });
    Router::new()
        .route("/", get(assets::index))
        .route("/assets/app.js", get(assets::app_js))
        .route("/assets/app.css", get(assets::app_css))
        .route("/assets/report.css", get(assets::report_css))
        .route("/assets/echarts.min.js", get(assets::echarts))
        .route("/assets/echarts-LICENSE.txt", get(assets::echarts_license))
        .nest("/api/v1", api)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(axum::middleware::from_fn_with_state(state.clone(), security::guard))
        .with_state(state)
}

/// Refuse a non-loopback address without a token.
///
/// # Errors
/// [`ServeError::Unprotected`].
pub fn check_bind(cfg: &Config) -> Result<(), ServeError> {
    if !cfg.host.is_loopback() && cfg.token.as_deref().is_none_or(str::is_empty) {
        return Err(ServeError::Unprotected(cfg.host));
    }
    Ok(())
}

/// Bind, call `ready` with the real address (e.g. to print `listening on http://HOST:PORT/`),
/// and serve until Ctrl-C (then finish the requests in flight and return).
///
/// # Errors
/// [`ServeError`]: an unprotected address, the store, the inputs, or the network.
pub fn serve(cfg: Config, ready: impl FnOnce(SocketAddr)) -> Result<(), ServeError> {
    check_bind(&cfg)?;
    let state = AppState::new(&cfg)?;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(SocketAddr::new(cfg.host, cfg.port)).await?;
        ready(listener.local_addr()?);
        axum::serve(listener, router(state))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        Ok(())
    })
}
