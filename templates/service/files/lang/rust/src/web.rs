//! The HTTP service: `/health` (liveness: the process serves requests),
//! `/ready` (readiness: {% if datastores %}the datastores are reachable and {% endif %}the service is not draining),
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
{%- if datastores %}
use failsafe::futures::CircuitBreaker as _;
{%- endif %}
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::Notify;
{%- if datastores %}
use tokio::task::JoinSet;
{%- endif %}
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::{Level, info, warn};

{% if datastores -%}
use crate::breaker::{self, Breaker};
{% endif -%}
use crate::config::Config;
{% if datastores -%}
use crate::dependencies::Dependency;
{% endif -%}
use crate::shutdown::Shutdown;

/// Longest a request may take before the service answers 408.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
/// How long in-flight requests get to finish after SIGTERM (ECS sends SIGKILL 30 s after SIGTERM).
const DRAIN_TIMEOUT: Duration = Duration::from_secs(20);
{%- if datastores %}
/// `/ready`'s reason for a datastore whose circuit breaker is open.
const CIRCUIT_OPEN: &str = "circuit open after repeated failures";
{%- endif %}

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    draining: Arc<AtomicBool>,
{%- if datastores %}
    checks: Arc<[ReadyCheck]>,
{%- endif %}
}

{%- if datastores %}

/// A datastore `/ready` checks, behind its circuit breaker.
#[derive(Clone)]
struct ReadyCheck {
    dependency: Dependency,
    breaker: Breaker,
}
{%- endif %}

impl AppState {
    pub fn new({% if datastores %}dependencies: Vec<Dependency>{% endif %}) -> Self {
{%- if datastores %}
        Self {
            draining: Arc::new(AtomicBool::new(false)),
            checks: dependencies
                .into_iter()
                .map(|dependency| ReadyCheck { breaker: breaker::new(dependency.name), dependency })
                .collect(),
        }
{%- else %}
        Self { draining: Arc::new(AtomicBool::new(false)) }
{%- endif %}
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
{%- if datastores %}
    let mut checks = JoinSet::new();
    for check in state.checks.iter().cloned() {
        checks.spawn(async move {
            let outcome = match check.breaker.call(check.dependency.check()).await {
                Ok(()) => Ok(()),
                Err(failsafe::Error::Inner(err)) => Err(format!("{err:#}")),
                Err(failsafe::Error::Rejected) => Err(CIRCUIT_OPEN.to_owned()),
            };
            (check.dependency.to_string(), outcome)
        });
    }
    let mut failures = serde_json::Map::new();
    while let Some(joined) = checks.join_next().await {
        let (dependency, outcome) =
            joined.unwrap_or_else(|err| ("check".to_owned(), Err(err.to_string())));
        if let Err(reason) = outcome {
            failures.insert(dependency, reason.into());
        }
    }
    if !failures.is_empty() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "failures": failures })),
        );
    }
{%- endif %}
    (StatusCode::OK, Json(json!({ "status": "ready" })))
}

/// `{{ service_name }} web`: serves on `PORT` until SIGTERM or Ctrl-C.
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
    run(listener, AppState::new({% if datastores %}config.dependencies{% endif %}), shutdown.wait()).await
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
{%- if datastores %}

    /// A dependency that accepts connections while the listener lives.
    async fn reachable() -> (TcpListener, Dependency) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        (listener, Dependency { name: "{{ datastores | first }}", host: "127.0.0.1".into(), port })
    }

    async fn unreachable() -> Dependency {
        let (_listener, dependency) = reachable().await;
        dependency
    }
{%- endif %}

    #[tokio::test]
    async fn health_answers_200() {
        let state = AppState::new({% if datastores %}vec![unreachable().await]{% endif %});
        let (status, body) = get(&state, "/health").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["status"], "ok");
    }

    #[tokio::test]
    async fn ready_answers_200_{% if datastores %}when_the_datastores_are_reachable{% else %}until_draining_starts{% endif %}() {
{%- if datastores %}
        let (_listener, dependency) = reachable().await;
        let state = AppState::new(vec![dependency]);
{%- else %}
        let state = AppState::new();
{%- endif %}
        let (status, body) = get(&state, "/ready").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "ready");
    }

    #[tokio::test]
    async fn ready_answers_503_once_draining_starts() {
{%- if datastores %}
        let (_listener, dependency) = reachable().await;
        let state = AppState::new(vec![dependency]);
{%- else %}
        let state = AppState::new();
{%- endif %}
        state.start_draining();
        let (status, body) = get(&state, "/ready").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["status"], "draining");
        assert_eq!(get(&state, "/health").await.0, StatusCode::OK, "liveness ignores draining");
    }
{%- if datastores %}

    #[tokio::test]
    async fn ready_answers_503_naming_an_unreachable_datastore() {
        let (_listener, up) = reachable().await;
        let down = unreachable().await;
        let state = AppState::new(vec![up, down.clone()]);
        let (status, body) = get(&state, "/ready").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert_eq!(body["failures"].as_object().unwrap().len(), 1, "{body}");
        assert!(body["failures"].get(down.to_string()).is_some(), "{body}");
    }

    #[tokio::test]
    async fn an_open_circuit_fails_ready_without_connecting() {
        let state = AppState::new(vec![unreachable().await]);
        for _ in 0..3 {
            assert_eq!(get(&state, "/ready").await.0, StatusCode::SERVICE_UNAVAILABLE);
        }
        let (_, body) = get(&state, "/ready").await;
        let reason = body["failures"].as_object().unwrap().values().next().unwrap().clone();
        assert_eq!(reason, CIRCUIT_OPEN, "{body}");
    }
{%- endif %}

    #[tokio::test]
    async fn run_returns_after_the_stop_signal() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let stop = async move {
            let _ = stop_rx.await;
        };
        let server = tokio::spawn(run(listener, AppState::new({% if datastores %}Vec::new(){% endif %}), stop));
        stop_tx.send(()).unwrap();
        let served = tokio::time::timeout(Duration::from_secs(5), server).await;
        served.expect("the server did not stop").unwrap().unwrap();
    }
}
