package com.payments.jvwebint;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Circuit breaker for calls to other services and AWS APIs: when half of the
 * last 20 calls failed it opens, fails fast for 30 s, then lets a few trial
 * calls through. Wrap a call with
 * {@code breaker.executeCallable(() -> client.call(...))}; an open breaker
 * throws {@code CallNotPermittedException}.
 */
@Configuration(proxyBeanMethods = false)
public class ResilienceConfig {

    @Bean
    public CircuitBreaker downstreamBreaker() {
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .slidingWindowSize(20)
                .minimumNumberOfCalls(10)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(30))
                .permittedNumberOfCallsInHalfOpenState(3)
                .build();
        return CircuitBreaker.of("downstream", config);
    }
}
