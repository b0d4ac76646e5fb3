package com.payments.jvcron.cron;

import com.payments.jvcron.Mode;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.stereotype.Component;

/**
 * With the {@code cron} argument, runs {@link CronRun.Job} once after startup
 * and logs one JSON line with {@code "event": "cron.completed"} (or
 * {@code "cron.failed"}); the application then exits with its exit code.
 */
@Component
public class CronCommand implements CommandLineRunner, ExitCodeGenerator {

    private static final Logger log = LoggerFactory.getLogger(CronCommand.class);

    private final CronRun.Job job;
    private final Clock clock;
    private volatile int exitCode;

    @Autowired
    public CronCommand(CronRun.Job job) {
        this(job, Clock.systemUTC());
    }

    CronCommand(CronRun.Job job, Clock clock) {
        this.job = job;
        this.clock = clock;
    }

    @Override
    public void run(String... args) {
        if (Mode.of(args) == Mode.CRON) {
            exitCode = runOnce();
        }
    }

    /** Runs the job once, logs the outcome and returns the exit code. */
    public int runOnce() {
        CronRun.Result result = CronRun.execute(job, clock);
        try (MDC.MDCCloseable event = MDC.putCloseable("event", result.event());
                MDC.MDCCloseable duration = MDC.putCloseable(
                        "duration_ms", Long.toString(result.duration().toMillis()))) {
            if (result.succeeded()) {
                log.info("scheduled run completed");
            } else {
                log.error("scheduled run failed", result.error());
            }
        }
        return result.exitCode();
    }

    @Override
    public int getExitCode() {
        return exitCode;
    }
}
