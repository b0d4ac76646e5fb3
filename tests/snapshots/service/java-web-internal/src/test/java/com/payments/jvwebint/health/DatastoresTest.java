package com.payments.jvwebint.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DatastoresTest {

    private static final List<String> ALL = List.of("postgres", "mysql", "redis", "memcached", "dynamodb");

    private static Map<String, String> localEnvironment() {
        Map<String, String> env = new HashMap<>();
        env.put("POSTGRES_HOST", "postgres");
        env.put("POSTGRES_PORT", "5433");
        env.put("MYSQL_HOST", "mysql");
        env.put("REDIS_URL", "rediss://cache.example.internal:6380/0");
        env.put("MEMCACHED_SERVERS", "mc1:11211, mc2");
        env.put("AWS_ENDPOINT_URL_DYNAMODB", "http://dynamodb:8000");
        env.put("AWS_REGION", "eu-west-1");
        return env;
    }

    @Test
    void readsEveryKindOfDatastore() {
        List<Endpoint> endpoints = Datastores.endpoints(ALL, localEnvironment()::get);
        assertEquals(
                List.of(
                        new Endpoint("postgres", "postgres", 5433),
                        new Endpoint("mysql", "mysql", 3306),
                        new Endpoint("redis", "cache.example.internal", 6380),
                        new Endpoint("memcached", "mc1", 11211),
                        new Endpoint("memcached", "mc2", 11211),
                        new Endpoint("dynamodb", "dynamodb", 8000)),
                endpoints);
    }

    @Test
    void defaultPortsAndRegionalDynamoDbEndpoint() {
        Map<String, String> env = localEnvironment();
        env.put("REDIS_URL", "redis://redis");
        env.remove("AWS_ENDPOINT_URL_DYNAMODB");
        List<Endpoint> endpoints = Datastores.endpoints(List.of("redis", "dynamodb"), env::get);
        assertEquals(new Endpoint("redis", "redis", 6379), endpoints.get(0));
        assertEquals(new Endpoint("dynamodb", "dynamodb.eu-west-1.amazonaws.com", 443), endpoints.get(1));
    }

    @Test
    void missingVariableIsNamed() {
        Map<String, String> env = localEnvironment();
        env.remove("MYSQL_HOST");
        IllegalStateException error = assertThrows(
                IllegalStateException.class, () -> Datastores.endpoints(ALL, env::get));
        assertEquals("MYSQL_HOST is not set", error.getMessage());
    }

    @Test
    void malformedPortIsNamed() {
        Map<String, String> env = localEnvironment();
        env.put("POSTGRES_PORT", "five");
        IllegalStateException error = assertThrows(
                IllegalStateException.class, () -> Datastores.endpoints(List.of("postgres"), env::get));
        assertTrue(error.getMessage().startsWith("POSTGRES_PORT"), error.getMessage());
    }

    @Test
    void everyConfiguredDatastoreIsChecked() {
        List<Endpoint> endpoints = Datastores.endpoints(Datastores.CONFIGURED, localEnvironment()::get);
        for (String store : Datastores.CONFIGURED) {
            assertTrue(endpoints.stream().anyMatch(e -> e.name().equals(store)), store);
        }
    }
}
