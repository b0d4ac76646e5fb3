package com.payments.jvwebint.health;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;

/** Wires {@link Readiness} to the environment and to the shutdown sequence. */
@Configuration(proxyBeanMethods = false)
public class HealthConfig {

    private static final Logger log = LoggerFactory.getLogger(HealthConfig.class);

    @Bean
    public Readiness readiness(Environment environment) {
        return new Readiness(
                Datastores.endpoints(Datastores.CONFIGURED, environment::getProperty),
                new TcpProbe(Duration.ofMillis(500)));
    }

    /**
     * SIGTERM closes the context: this event comes first, before the web
     * server's graceful shutdown, so {@code /ready} answers 503 while
     * in-flight requests finish.
     */
    @Bean
    public DrainOnShutdown drainOnShutdown(Readiness readiness) {
        return new DrainOnShutdown(readiness);
    }

    /** Flips {@link Readiness} to draining when the application context closes. */
    public static class DrainOnShutdown {

        private final Readiness readiness;

        DrainOnShutdown(Readiness readiness) {
            this.readiness = readiness;
        }

        @EventListener
        public void onClose(ContextClosedEvent event) {
            readiness.startDraining();
            AvailabilityChangeEvent.publish(event.getApplicationContext(), ReadinessState.REFUSING_TRAFFIC);
            log.info("shutting down: /ready answers 503 from now on");
        }
    }
}
