//! The HTTP service: `/health` (liveness: the process serves requests),
//! `/ready` (readiness: the service is not draining),
//! JSON access logs, a per-request timeout, and a graceful stop on SIGTERM.

use std::net::Ipv4Addr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::{Level, info, warn};

use crate::config::Config;
use crate::shutdown::Shutdown;

/// Longest a request may take before the service answers 408.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
/// How long in-flight requests get to finish after SIGTERM (ECS sends SIGKILL 30 s after SIGTERM).
const DRAIN_TIMEOUT: Duration = Duration::from_secs(20);

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    draining: Arc<AtomicBool>,
}

impl AppState {
    pub fn new() -> Self {
        Self { draining: Arc::new(AtomicBool::new(false)) }
    }

    /// From now on `/ready` answers 503.
    pub fn start_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .with_state(state)
}

async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    if state.is_draining() {
        return (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "draining" })));
    }
    (StatusCode::OK, Json(json!({ "status": "ready" })))
}

/// `rs-web-int web`: serves on `PORT` until SIGTERM or Ctrl-C.
pub async fn serve() -> Result<()> {
    let config = Config::from_env()?;
    let shutdown = Shutdown::install()?;
    let listener = TcpListener::bind((Ipv4Addr::UNSPECIFIED, config.port))
        .await
        .with_context(|| format!("cannot listen on port {}", config.port))?;
    info!(
        event = "service.started",
        service = %config.service_name,
        environment = %config.environment,
        port = config.port,
        "listening"
    );
    run(listener, AppState::new(), shutdown.wait()).await
}

/// Serves until `stop` completes, then stops accepting connections and gives
/// in-flight requests up to [`DRAIN_TIMEOUT`] to finish.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    stop: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let stopping = Arc::new(Notify::new());
    let server = axum::serve(listener, router(state.clone())).with_graceful_shutdown({
        let stopping = Arc::clone(&stopping);
        async move {
            stop.await;
            state.start_draining();
            stopping.notify_one();
        }
    });
    tokio::select! {
        served = server.into_future() => served.context("serving HTTP")?,
        () = async {
            stopping.notified().await;
            tokio::time::sleep(DRAIN_TIMEOUT).await;
        } => warn!(event = "shutdown.timeout", "in-flight requests did not finish within {DRAIN_TIMEOUT:?}"),
    }
    info!(event = "shutdown.completed", "stopped");
    Ok(())
}

#[cfg(test)]
mod tests {
    use axum::body::{Body, to_bytes};
    use axum::http::Request;
    use tower::ServiceExt as _;

    use super::*;

    async fn get(state: &AppState, path: &str) -> (StatusCode, Value) {
        let response = router(state.clone())
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let body = to_bytes(response.into_body(), 64 * 1024).await.unwrap();
        (status, serde_json::from_slice(&body).unwrap())
    }

    #[tokio::test]
    async fn health_answers_200() {
        let state = AppState::new();
        let (status, body) = get(&state, "/health").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["status"], "ok");
    }

    #[tokio::test]
    async fn ready_answers_200_until_draining_starts() {
        let state = AppState::new();
        let (status, body) = get(&state, "/ready").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "ready");
    }

    #[tokio::test]
    async fn ready_answers_503_once_draining_starts() {
        let state = AppState::new();
        state.start_draining();
        let (status, body) = get(&state, "/ready").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["status"], "draining");
        assert_eq!(get(&state, "/health").await.0, StatusCode::OK, "liveness ignores draining");
    }

    #[tokio::test]
    async fn run_returns_after_the_stop_signal() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let stop = async move {
            let _ = stop_rx.await;
        };
        let server = tokio::spawn(run(listener, AppState::new(), stop));
        stop_tx.send(()).unwrap();
        let served = tokio::time::timeout(Duration::from_secs(5), server).await;
        served.expect("the server did not stop").unwrap().unwrap();
    }
}
