package com.payments.jvcron;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Entry point of jv-cron.
 *
 * <p>Started with the {@code cron} argument (the image's default command) it
 * runs the scheduled job once and exits with its status: see
 * {@code cron.CronCommand}.
 */
@SpringBootApplication
public class JvCronApplication {

    public static void main(String[] args) {
        if (!usable(Mode.CRON, args)) {
            System.exit(2);
        }
        // Runs the job once (CronCommand), then exits with its exit code.
        System.exit(SpringApplication.exit(SpringApplication.run(JvCronApplication.class, args)));
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
