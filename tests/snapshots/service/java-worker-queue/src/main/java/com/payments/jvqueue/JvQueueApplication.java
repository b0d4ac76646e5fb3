package com.payments.jvqueue;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

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
        SpringApplication.run(JvQueueApplication.class, args);
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
