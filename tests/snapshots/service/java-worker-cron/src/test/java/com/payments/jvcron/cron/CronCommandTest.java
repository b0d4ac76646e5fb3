package com.payments.jvcron.cron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

@SpringBootTest
@ExtendWith(OutputCaptureExtension.class)
class CronCommandTest {

    @Autowired
    private CronCommand command;

    @Test
    void runLogsCompletedAsJsonAndExitsZero(CapturedOutput output) {
        assertEquals(0, command.runOnce());
        assertTrue(output.getOut().contains("\"event\":\"cron.completed\""), output.getOut());
    }

    @Test
    void failingJobLogsFailedAndExitsNonZero(CapturedOutput output) {
        CronCommand failing = new CronCommand(() -> {
            throw new IllegalStateException("boom");
        });
        assertEquals(1, failing.runOnce());
        assertTrue(output.getOut().contains("\"event\":\"cron.failed\""), output.getOut());
    }

    @Test
    void runsOnlyWithTheCronArgument() {
        AtomicInteger runs = new AtomicInteger();
        CronCommand counting = new CronCommand(runs::incrementAndGet);
        counting.run();
        assertEquals(0, runs.get());
        counting.run("cron");
        assertEquals(1, runs.get());
        assertEquals(0, counting.getExitCode());
    }
}
