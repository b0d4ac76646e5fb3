package com.payments.jvcron.cron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class CronRunTest {

    /** A clock that moves 250 ms on every reading. */
    private static Clock ticking() {
        return new Clock() {
            private Instant now = Instant.parse("2024-01-01T06:00:00Z");

            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                Instant reading = now;
                now = now.plusMillis(250);
                return reading;
            }
        };
    }

    @Test
    void successLogsCompletedAndExitsZero() {
        CronRun.Result result = CronRun.execute(() -> { }, ticking());
        assertEquals("cron.completed", result.event());
        assertEquals(0, result.exitCode());
        assertTrue(result.succeeded());
        assertNull(result.error());
        assertEquals(Duration.ofMillis(250), result.duration());
    }

    @Test
    void failureExitsNonZeroWithTheError() {
        IllegalStateException boom = new IllegalStateException("boom");
        CronRun.Result result = CronRun.execute(() -> {
            throw boom;
        }, ticking());
        assertEquals("cron.failed", result.event());
        assertEquals(1, result.exitCode());
        assertFalse(result.succeeded());
        assertEquals(boom, result.error());
    }
}
