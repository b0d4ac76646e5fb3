package com.payments.jvwebint.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ReadinessTest {

    private static final TcpProbe PROBE = new TcpProbe(Duration.ofMillis(500));

    @Test
    void readyWhenEveryDatastoreAccepts() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Readiness readiness = new Readiness(
                    List.of(new Endpoint("postgres", "127.0.0.1", server.getLocalPort())), PROBE);
            Readiness.Report report = readiness.check();
            assertTrue(report.ready());
            assertEquals("ready", report.status());
            assertEquals(Map.of("postgres", "ok"), report.checks());
        }
    }

    @Test
    void unavailableWhenOneDatastoreRefuses() throws IOException {
        int closedPort;
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = server.getLocalPort();
        }
        try (ServerSocket open = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Readiness readiness = new Readiness(
                    List.of(
                            new Endpoint("postgres", "127.0.0.1", open.getLocalPort()),
                            new Endpoint("redis", "127.0.0.1", closedPort)),
                    PROBE);
            Readiness.Report report = readiness.check();
            assertFalse(report.ready());
            assertEquals("unavailable", report.status());
            assertEquals("ok", report.checks().get("postgres"));
            assertEquals("unreachable", report.checks().get("redis"));
        }
    }

    @Test
    void readyWithoutDatastores() {
        assertTrue(new Readiness(List.of(), PROBE).check().ready());
    }

    @Test
    void drainingIsNotReadyAndProbesNothing() {
        AtomicInteger probes = new AtomicInteger();
        Readiness readiness = new Readiness(List.of(new Endpoint("redis", "redis", 6379)), endpoint -> {
            probes.incrementAndGet();
            return true;
        });
        assertTrue(readiness.check().ready());
        readiness.startDraining();
        Readiness.Report report = readiness.check();
        assertFalse(report.ready());
        assertEquals("draining", report.status());
        assertTrue(readiness.isDraining());
        assertEquals(1, probes.get());
        assertEquals("draining", report.body().get("status"));
    }
}
