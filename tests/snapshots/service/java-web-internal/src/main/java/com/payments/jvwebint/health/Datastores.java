package com.payments.jvwebint.health;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Where the datastores of this service are, read from the environment
 * variables that docker-compose and the ECS task definition set. A missing
 * variable is a configuration error reported at startup, naming the variable.
 */
public final class Datastores {

    /** The datastores this service was generated with. */
    public static final List<String> CONFIGURED = List.of();

    private Datastores() {
    }

    /**
     * The endpoints to probe for {@code stores}, looking variables up with
     * {@code env} (which returns null for an unset variable).
     *
     * @throws IllegalStateException when a variable is missing or malformed
     */
    public static List<Endpoint> endpoints(List<String> stores, Function<String, String> env) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (String store : stores) {
            switch (store) {
                case "postgres" -> endpoints.add(hostAndPort(store, env, "POSTGRES_HOST", "POSTGRES_PORT", 5432));
                case "mysql" -> endpoints.add(hostAndPort(store, env, "MYSQL_HOST", "MYSQL_PORT", 3306));
                case "redis" -> endpoints.add(fromUrl(store, required(env, "REDIS_URL"), "REDIS_URL"));
                case "memcached" -> endpoints.addAll(serverList(store, required(env, "MEMCACHED_SERVERS")));
                case "dynamodb" -> {
                    String url = env.apply("AWS_ENDPOINT_URL_DYNAMODB");
                    if (url == null || url.isBlank()) {
                        url = "https://dynamodb." + required(env, "AWS_REGION") + ".amazonaws.com";
                    }
                    endpoints.add(fromUrl(store, url, "AWS_ENDPOINT_URL_DYNAMODB"));
                }
                default -> throw new IllegalStateException("unknown datastore `" + store + "`");
            }
        }
        return List.copyOf(endpoints);
    }

    private static String required(Function<String, String> env, String name) {
        String value = env.apply(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(name + " is not set");
        }
        return value.trim();
    }

    private static Endpoint hostAndPort(
            String store, Function<String, String> env, String hostVar, String portVar, int defaultPort) {
        String host = required(env, hostVar);
        String port = env.apply(portVar);
        return new Endpoint(store, host, port == null || port.isBlank() ? defaultPort : parsePort(portVar, port));
    }

    private static Endpoint fromUrl(String store, String url, String variable) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(variable + " is not a URL: `" + url + "`", e);
        }
        if (uri.getHost() == null) {
            throw new IllegalStateException(variable + " has no host: `" + url + "`");
        }
        int port = uri.getPort();
        if (port == -1) {
            port = switch (uri.getScheme() == null ? "" : uri.getScheme()) {
                case "redis", "rediss" -> 6379;
                case "http" -> 80;
                case "https" -> 443;
                default -> throw new IllegalStateException(variable + " has no port: `" + url + "`");
            };
        }
        return new Endpoint(store, uri.getHost(), port);
    }

    private static List<Endpoint> serverList(String store, String servers) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (String server : servers.split(",")) {
            String entry = server.trim();
            if (entry.isEmpty()) {
                continue;
            }
            int colon = entry.lastIndexOf(':');
            String host = colon < 0 ? entry : entry.substring(0, colon);
            int port = colon < 0 ? 11211 : parsePort("MEMCACHED_SERVERS", entry.substring(colon + 1));
            endpoints.add(new Endpoint(store, host, port));
        }
        if (endpoints.isEmpty()) {
            throw new IllegalStateException("MEMCACHED_SERVERS lists no server");
        }
        return endpoints;
    }

    private static int parsePort(String variable, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException(variable + " is not a port number: `" + value + "`", e);
        }
    }
}
