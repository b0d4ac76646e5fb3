package com.payments.jvcron.cron;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * One run of the scheduled job, free of any framework: runs the job and turns
 * its outcome into the event to log and the process exit code. The alarm
 * `cron-missed` counts {@value #COMPLETED} lines; EventBridge Scheduler and
 * ECS see a non-zero exit code as a failed run.
 */
public final class CronRun {

    /** Logged as the {@code event} field when the job succeeded. */
    public static final String COMPLETED = "cron.completed";
    /** Logged as the {@code event} field when the job threw. */
    public static final String FAILED = "cron.failed";

    /** The scheduled work. */
    @FunctionalInterface
    public interface Job {
        void run() throws Exception;
    }

    /** The outcome of a run; {@code error} is null on success. */
    public record Result(String event, int exitCode, Duration duration, Exception error) {

        public boolean succeeded() {
            return exitCode == 0;
        }
    }

    private CronRun() {
    }

    /** Runs {@code job} once; never throws for a failed job. */
    public static Result execute(Job job, Clock clock) {
        Instant start = clock.instant();
        try {
            job.run();
            return new Result(COMPLETED, 0, Duration.between(start, clock.instant()), null);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return new Result(FAILED, 1, Duration.between(start, clock.instant()), e);
        }
    }
}
