package com.payments.jvqueue.worker;

import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/** The application context starts, and polls only when started with `worker`. */
@SpringBootTest(properties = "app.queue-url=http://localhost:9324/000000000000/jv-queue")
class SqsWorkerTest {

    @Autowired
    private SqsWorker worker;

    @Test
    void doesNotPollWithoutTheWorkerArgument() {
        assertFalse(worker.isAutoStartup());
        assertFalse(worker.isRunning());
    }
}
