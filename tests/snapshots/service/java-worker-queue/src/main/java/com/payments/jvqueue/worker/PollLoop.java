package com.payments.jvqueue.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The queue consumer's loop, free of any framework so it can be tested alone:
 * receive a batch, handle each message, delete only the messages that were
 * handled. A failed message is left on the queue: it becomes visible again
 * after the visibility timeout and goes to the dead-letter queue after 5
 * receives. {@link #stop()} ends the loop after the batch in hand is done.
 */
public final class PollLoop implements Runnable {

    /** One received message. */
    public record Message(String id, String receiptHandle, String body) {
    }

    /** The queue: {@link SqsQueue} in production. */
    public interface Queue {
        /** Waits for up to one batch of messages (may return none). */
        List<Message> receive() throws Exception;

        /** Deletes messages that were handled. */
        void delete(List<Message> handled) throws Exception;
    }

    /** Handles one message; throwing leaves the message on the queue. */
    @FunctionalInterface
    public interface Handler {
        void handle(Message message) throws Exception;
    }

    /** What happened to one batch. */
    public record BatchResult(List<Message> succeeded, List<Message> failed) {
    }

    /** Hooks for logging and metrics; every method does nothing by default. */
    public interface Listener {
        default void messageFailed(Message message, Exception error) {
        }

        default void batchDone(BatchResult result) {
        }

        default void queueFailed(Exception error) {
        }
    }

    private final Queue queue;
    private final Handler handler;
    private final Listener listener;
    private final Duration backoff;
    private final AtomicBoolean running = new AtomicBoolean(true);

    public PollLoop(Queue queue, Handler handler, Listener listener, Duration backoff) {
        this.queue = queue;
        this.handler = handler;
        this.listener = listener;
        this.backoff = backoff;
    }

    /** Handles every message of {@code batch}; one failure does not stop the others. */
    public static BatchResult handleAll(List<Message> batch, Handler handler, Listener listener) {
        List<Message> succeeded = new ArrayList<>();
        List<Message> failed = new ArrayList<>();
        for (Message message : batch) {
            try {
                handler.handle(message);
                succeeded.add(message);
            } catch (Exception e) {
                failed.add(message);
                listener.messageFailed(message, e);
            }
        }
        return new BatchResult(List.copyOf(succeeded), List.copyOf(failed));
    }

    /** Receives and handles one batch; returns its result (empty when the queue was idle). */
    public BatchResult pollOnce() throws Exception {
        List<Message> batch = queue.receive();
        BatchResult result = handleAll(batch, handler, listener);
        if (!result.succeeded().isEmpty()) {
            queue.delete(result.succeeded());
        }
        if (!batch.isEmpty()) {
            listener.batchDone(result);
        }
        return result;
    }

    /** Polls until {@link #stop()}; a receive or delete error is reported, then retried after the backoff. */
    @Override
    public void run() {
        while (running.get()) {
            try {
                pollOnce();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                listener.queueFailed(e);
                if (!sleep(backoff)) {
                    return;
                }
            }
        }
    }

    /** Stops polling; the batch in hand is still handled and deleted. */
    public void stop() {
        running.set(false);
    }

    public boolean isRunning() {
        return running.get();
    }

    private static boolean sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
