package com.payments.jvwebint.health;

import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Liveness ({@code /health}) and readiness ({@code /ready}) for the load balancer and ECS. */
@RestController
public class HealthController {

    private final Readiness readiness;

    public HealthController(Readiness readiness) {
        this.readiness = readiness;
    }

    /** Liveness: the process answers. Never checks dependencies. */
    @GetMapping("/health")
    public Map<String, String> health() {
        return Map.of("status", "ok");
    }

    /** Readiness: 200 when every datastore answers, 503 when one does not or when draining. */
    @GetMapping("/ready")
    public ResponseEntity<Map<String, Object>> ready() {
        Readiness.Report report = readiness.check();
        HttpStatus status = report.ready() ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE;
        return ResponseEntity.status(status).body(report.body());
    }
}
