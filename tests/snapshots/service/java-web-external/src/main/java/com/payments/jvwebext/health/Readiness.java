package com.payments.jvwebext.health;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The answer of {@code /ready}: ready when every datastore answers and the
 * service is not shutting down. Once {@link #startDraining()} has been called
 * (on SIGTERM) it stays not ready, so the load balancer stops sending new
 * requests while in-flight ones finish.
 */
public final class Readiness {

    /** Tells whether an endpoint answers; {@link TcpProbe} in production. */
    @FunctionalInterface
    public interface Probe {
        boolean reachable(Endpoint endpoint);
    }

    /** The outcome of one check: {@code status} is ready, unavailable or draining. */
    public record Report(boolean ready, String status, Map<String, String> checks) {

        /** The JSON body of {@code /ready}. */
        public Map<String, Object> body() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", status);
            body.put("checks", checks);
            return body;
        }
    }

    private final List<Endpoint> endpoints;
    private final Probe probe;
    private final AtomicBoolean draining = new AtomicBoolean(false);

    public Readiness(List<Endpoint> endpoints, Probe probe) {
        this.endpoints = List.copyOf(endpoints);
        this.probe = probe;
    }

    /** From now on the service reports not ready; there is no way back. */
    public void startDraining() {
        draining.set(true);
    }

    public boolean isDraining() {
        return draining.get();
    }

    public List<Endpoint> endpoints() {
        return endpoints;
    }

    /** Probes every datastore, unless the service is draining. */
    public Report check() {
        Map<String, String> checks = new LinkedHashMap<>();
        if (draining.get()) {
            return new Report(false, "draining", checks);
        }
        boolean ready = true;
        for (Endpoint endpoint : endpoints) {
            boolean up = probe.reachable(endpoint);
            String key = checks.containsKey(endpoint.name())
                    ? endpoint.name() + " " + endpoint.host() + ":" + endpoint.port()
                    : endpoint.name();
            checks.put(key, up ? "ok" : "unreachable");
            ready &= up;
        }
        return new Report(ready, ready ? "ready" : "unavailable", checks);
    }
}
