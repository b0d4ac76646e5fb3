//! Logging: one JSON object per line on stdout, the event's fields at the top
//! level (`{"timestamp":…,"level":"INFO","event":"…","message":"…",…}`) so
//! CloudWatch Logs metric filters can match them, filtered by `LOG_LEVEL`
//! (a level such as `INFO`, or `tracing` directives such as `info,tower_http=debug`).

use tracing::Subscriber;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::util::SubscriberInitExt;

/// Installs the JSON subscriber for the whole process.
pub fn init() {
    let level = std::env::var("LOG_LEVEL").unwrap_or_default();
    let (filter, valid) = filter(&level);
    subscriber(filter, std::io::stdout).init();
    if !valid {
        tracing::warn!(event = "config.invalid", "LOG_LEVEL={level} is unknown; logging at info");
    }
}

/// The subscriber `init` installs, writing to `writer`.
pub fn subscriber<W>(filter: EnvFilter, writer: W) -> impl Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(true)
        .with_span_list(false)
        .with_env_filter(filter)
        .with_writer(writer)
        .finish()
}

/// The filter for `LOG_LEVEL` (info when unset), and whether the value was
/// understood. A level alone must be a known one: `tracing` would take an unknown
/// word (`WARNING`, `verbose`) as a module name and silence everything else.
pub fn filter(level: &str) -> (EnvFilter, bool) {
    let level = level.trim().to_ascii_lowercase();
    let directives = match level.as_str() {
        "" => "info",
        "warning" => "warn",
        "critical" | "fatal" => "error",
        level if level.contains('=') || level.parse::<LevelFilter>().is_ok() => level,
        _ => return (EnvFilter::new("info"), false),
    };
    match EnvFilter::try_new(directives) {
        Ok(filter) => (filter, true),
        Err(_) => (EnvFilter::new("info"), false),
    }
}

#[cfg(test)]
pub mod tests {
    use std::sync::{Arc, Mutex};

    use tracing_subscriber::fmt::MakeWriter;

    use super::*;

    /// Collects what the subscriber writes, for tests that read the log lines.
    #[derive(Clone, Default)]
    pub struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Captured {
        /// Every line written so far, parsed as JSON.
        pub fn lines(&self) -> Vec<serde_json::Value> {
            let bytes = self.0.lock().unwrap().clone();
            String::from_utf8(bytes)
                .unwrap()
                .lines()
                .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
                .collect()
        }
    }

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'w> MakeWriter<'w> for Captured {
        type Writer = Self;
        fn make_writer(&'w self) -> Self::Writer {
            self.clone()
        }
    }

    #[test]
    fn events_are_json_lines_with_top_level_fields() {
        let captured = Captured::default();
        let subscriber = subscriber(filter("INFO").0, captured.clone());
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(event = "test.happened", count = 3, "hello");
            tracing::debug!(event = "test.hidden", "below the level");
        });
        let lines = captured.lines();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert_eq!(lines[0]["event"], "test.happened");
        assert_eq!(lines[0]["count"], 3);
        assert_eq!(lines[0]["message"], "hello");
        assert_eq!(lines[0]["level"], "INFO");
    }

    #[test]
    fn log_levels_are_case_insensitive_and_unknown_ones_fall_back_to_info() {
        for understood in ["", "DEBUG", "Warning", "error", "info,tower_http=debug"] {
            assert!(filter(understood).1, "{understood}");
        }
        for unknown in ["verbose", "loud!", "info,tower_http=[oops"] {
            assert!(!filter(unknown).1, "{unknown}");
        }
    }
}
