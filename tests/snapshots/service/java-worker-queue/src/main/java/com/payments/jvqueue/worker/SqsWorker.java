package com.payments.jvqueue.worker;

import com.payments.jvqueue.Mode;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Runs {@link PollLoop} on its own thread while the application runs, when
 * started with the {@code worker} argument. On SIGTERM Spring stops it: it
 * stops polling, finishes and deletes the batch in hand, then the JVM exits.
 * Every message goes through the circuit breaker, so a failing downstream
 * fails messages fast (they are retried later) instead of piling up.
 */
@Component
public class SqsWorker implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SqsWorker.class);

    private final SqsClient sqs;
    private final String queueUrl;
    private final MessageHandler handler;
    private final CircuitBreaker breaker;
    private final boolean enabled;
    private volatile PollLoop loop;
    private volatile Thread thread;

    public SqsWorker(
            SqsClient sqs,
            @Value("${app.queue-url:}") String queueUrl,
            MessageHandler handler,
            CircuitBreaker breaker,
            ApplicationArguments arguments) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.handler = handler;
        this.breaker = breaker;
        this.enabled = Mode.of(arguments.getSourceArgs()) == Mode.WORKER;
    }

    @Override
    public boolean isAutoStartup() {
        return enabled;
    }

    @Override
    public synchronized void start() {
        PollLoop.Handler guarded = message -> {
            Callable<Void> handle = () -> {
                handler.handle(message);
                return null;
            };
            breaker.executeCallable(handle);
        };
        loop = new PollLoop(new SqsQueue(sqs, queueUrl), guarded, new LogListener(), Duration.ofSeconds(5));
        thread = new Thread(loop, "sqs-worker");
        thread.start();
        log.info("polling {}", queueUrl);
    }

    /**
     * Asks the loop to stop and returns at once; {@code callback} runs when
     * the batch in hand is done. Spring waits for it for up to
     * {@code spring.lifecycle.timeout-per-shutdown-phase} (20 s).
     */
    @Override
    public void stop(Runnable callback) {
        PollLoop current = loop;
        Thread worker = thread;
        if (current == null || worker == null) {
            callback.run();
            return;
        }
        current.stop();
        log.info("stopping: finishing the batch in hand");
        Thread waiter = new Thread(() -> {
            join(worker);
            callback.run();
        }, "sqs-worker-stop");
        waiter.start();
    }

    @Override
    public void stop() {
        PollLoop current = loop;
        Thread worker = thread;
        if (current != null && worker != null) {
            current.stop();
            join(worker);
        }
    }

    private static void join(Thread worker) {
        try {
            // A receive waits up to 20 s, then the batch in hand is handled.
            worker.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        Thread worker = thread;
        return worker != null && worker.isAlive();
    }

    /** Logs failures as JSON lines with an {@code event} field. */
    static final class LogListener implements PollLoop.Listener {

        @Override
        public void messageFailed(PollLoop.Message message, Exception error) {
            try (MDC.MDCCloseable event = MDC.putCloseable("event", "message.failed")) {
                log.warn("message {} failed; it will be retried", message.id(), error);
            }
        }

        @Override
        public void batchDone(PollLoop.BatchResult result) {
            log.debug("batch: {} handled, {} failed", result.succeeded().size(), result.failed().size());
        }

        @Override
        public void queueFailed(Exception error) {
            try (MDC.MDCCloseable event = MDC.putCloseable("event", "queue.failed")) {
                log.error("receiving or deleting failed; retrying in 5 s", error);
            }
        }
    }
}
