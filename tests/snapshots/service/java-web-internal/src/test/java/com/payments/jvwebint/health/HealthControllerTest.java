package com.payments.jvwebint.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.payments.jvwebint.JvWebIntApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.ResponseEntity;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class HealthControllerTest {

    /** Stands in for every datastore: the readiness check only opens a TCP connection. */
    private static final ServerSocket DATASTORE = listen();

    private static ServerSocket listen() {
        try {
            return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The environment variables of the configured datastores, all pointing at {@link #DATASTORE}. */
    static Map<String, Object> datastoreEnvironment() {
        Map<String, Object> env = new LinkedHashMap<>();
        return env;
    }

    @DynamicPropertySource
    static void datastores(DynamicPropertyRegistry registry) {
        datastoreEnvironment().forEach((key, value) -> registry.add(key, () -> value));
    }

    @AfterAll
    static void closeDatastore() throws IOException {
        DATASTORE.close();
    }

    @Autowired
    private TestRestTemplate http;

    @Autowired
    private Readiness readiness;

    @Test
    void healthAnswersOk() {
        ResponseEntity<String> response = http.getForEntity("/health", String.class);
        assertEquals(200, response.getStatusCode().value());
        assertEquals("{\"status\":\"ok\"}", response.getBody());
    }

    @Test
    @DirtiesContext
    void readyUntilDraining() {
        ResponseEntity<String> ready = http.getForEntity("/ready", String.class);
        assertEquals(200, ready.getStatusCode().value(), ready.getBody());
        assertTrue(ready.getBody().contains("\"status\":\"ready\""), ready.getBody());

        readiness.startDraining();

        ResponseEntity<String> draining = http.getForEntity("/ready", String.class);
        assertEquals(503, draining.getStatusCode().value());
        assertTrue(draining.getBody().contains("\"status\":\"draining\""), draining.getBody());
    }

    @Test
    void closingTheApplicationStartsDraining() {
        ConfigurableApplicationContext app = new SpringApplicationBuilder(JvWebIntApplication.class)
                .properties(datastoreEnvironment())
                .properties("server.port=0")
                .run();
        Readiness appReadiness = app.getBean(Readiness.class);
        assertFalse(appReadiness.isDraining());
        app.close();
        assertTrue(appReadiness.isDraining());
    }
}
