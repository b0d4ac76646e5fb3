package com.payments.jvwebext;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import sun.misc.Signal;

/**
 * Entry point of jv-web-ext.
 *
 * <p>Started without arguments it serves HTTP on {@code PORT}: {@code /health}
 * (liveness) and {@code /ready} (datastores reachable, not draining).
 */
@SpringBootApplication
public class JvWebExtApplication {

    public static void main(String[] args) {
        if (!usable(Mode.WEB, args)) {
            System.exit(2);
        }
        exitZeroOnSigterm();
        SpringApplication.run(JvWebExtApplication.class, args);
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
