package com.payments.jvwebstores.health;

/** A datastore's address as the readiness check sees it. */
public record Endpoint(String name, String host, int port) {

    public Endpoint {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException(name + ": empty host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(name + ": port " + port + " is out of range");
        }
    }

    @Override
    public String toString() {
        return name + " (" + host + ":" + port + ")";
    }
}
