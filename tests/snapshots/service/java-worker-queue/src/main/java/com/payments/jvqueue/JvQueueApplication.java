package com.payments.jvqueue;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import sun.misc.Signal;

/**
 * Entry point of jv-queue.
 *
 * <p>Started with the {@code worker} argument (the image's default command) it
 * long-polls {@code QUEUE_URL} until SIGTERM: see {@code worker.SqsWorker}.
 */
@SpringBootApplication
public class JvQueueApplication {

    public static void main(String[] args) {
        if (!usable(Mode.WORKER, args)) {
            System.exit(2);
        }
        exitZeroOnSigterm();
        SpringApplication.run(JvQueueApplication.class, args);
    }

    /**
     * ECS stops a task with SIGTERM. Leaving through {@code System.exit(0)}
     * runs the shutdown hooks (Spring's graceful shutdown) as the JVM's own
     * handler does, but the task ends with 0 instead of 143 (128 + SIGTERM).
     */
    private static void exitZeroOnSigterm() {
        Signal.handle(new Signal("TERM"), signal -> System.exit(0));
    }

    private static boolean usable(Mode expected, String[] args) {
        try {
            Mode mode = Mode.of(args);
            if (mode == expected) {
                return true;
            }
            System.err.println("this image runs as " + expected.usage() + ", not " + mode.usage());
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
        }
        return false;
    }
}
