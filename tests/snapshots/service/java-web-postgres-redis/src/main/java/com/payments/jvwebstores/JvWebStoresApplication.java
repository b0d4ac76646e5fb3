package com.payments.jvwebstores;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Entry point of jv-web-stores.
 *
 * <p>Started without arguments it serves HTTP on {@code PORT}: {@code /health}
 * (liveness) and {@code /ready} (datastores reachable, not draining).
 */
@SpringBootApplication
public class JvWebStoresApplication {

    public static void main(String[] args) {
        if (!usable(Mode.WEB, args)) {
            System.exit(2);
        }
        SpringApplication.run(JvWebStoresApplication.class, args);
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
