package com.payments.jvqueue.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PollLoopTest {

    private static PollLoop.Message message(String id) {
        return new PollLoop.Message(id, "receipt-" + id, "body " + id);
    }

    /** A queue that hands out prepared batches, then empty ones, and records deletes. */
    private static final class FakeQueue implements PollLoop.Queue {
        final Deque<List<PollLoop.Message>> batches = new ArrayDeque<>();
        final List<String> deletedReceipts = new ArrayList<>();
        int receives;

        @Override
        public synchronized List<PollLoop.Message> receive() {
            receives++;
            return batches.isEmpty() ? List.of() : batches.removeFirst();
        }

        @Override
        public synchronized void delete(List<PollLoop.Message> handled) {
            handled.forEach(m -> deletedReceipts.add(m.receiptHandle()));
        }
    }

    @Test
    void deletesOnlyTheMessagesThatWereHandled() throws Exception {
        FakeQueue queue = new FakeQueue();
        queue.batches.add(List.of(message("a"), message("bad"), message("c")));
        List<String> failed = new ArrayList<>();
        PollLoop loop = new PollLoop(queue, m -> {
            if (m.id().equals("bad")) {
                throw new IllegalStateException("cannot handle " + m.id());
            }
        }, new PollLoop.Listener() {
            @Override
            public void messageFailed(PollLoop.Message message, Exception error) {
                failed.add(message.id());
            }
        }, Duration.ZERO);

        PollLoop.BatchResult result = loop.pollOnce();

        assertEquals(List.of("receipt-a", "receipt-c"), queue.deletedReceipts);
        assertEquals(List.of(message("bad")), result.failed());
        assertEquals(List.of("bad"), failed);
    }

    @Test
    void deletesNothingWhenEverythingFails() throws Exception {
        FakeQueue queue = new FakeQueue();
        queue.batches.add(List.of(message("a"), message("b")));
        PollLoop loop = new PollLoop(queue, m -> {
            throw new Exception("downstream is down");
        }, new PollLoop.Listener() { }, Duration.ZERO);

        PollLoop.BatchResult result = loop.pollOnce();

        assertTrue(queue.deletedReceipts.isEmpty());
        assertEquals(2, result.failed().size());
    }

    @Test
    void stopEndsPollingAfterTheBatchInHand() throws Exception {
        FakeQueue queue = new FakeQueue();
        queue.batches.add(List.of(message("slow")));
        queue.batches.add(List.of(message("never")));
        CountDownLatch handling = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        PollLoop loop = new PollLoop(queue, m -> {
            handling.countDown();
            assertTrue(release.await(5, TimeUnit.SECONDS));
        }, new PollLoop.Listener() { }, Duration.ZERO);

        Thread thread = new Thread(loop);
        thread.start();
        assertTrue(handling.await(5, TimeUnit.SECONDS));
        loop.stop();
        release.countDown();
        thread.join(5_000);

        assertFalse(thread.isAlive());
        assertFalse(loop.isRunning());
        assertEquals(List.of("receipt-slow"), queue.deletedReceipts);
        assertEquals(1, queue.receives);
    }

    @Test
    void queueErrorsAreReportedAndRetried() throws Exception {
        List<Exception> errors = new ArrayList<>();
        PollLoop[] holder = new PollLoop[1];
        PollLoop.Queue failing = new PollLoop.Queue() {
            @Override
            public List<PollLoop.Message> receive() throws Exception {
                if (errors.size() == 2) {
                    holder[0].stop();
                }
                throw new java.io.IOException("connection reset");
            }

            @Override
            public void delete(List<PollLoop.Message> handled) {
            }
        };
        holder[0] = new PollLoop(failing, m -> { }, new PollLoop.Listener() {
            @Override
            public void queueFailed(Exception error) {
                errors.add(error);
            }
        }, Duration.ZERO);

        holder[0].run();

        assertEquals(3, errors.size());
    }
}
