package com.payments.jvqueue.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

class SqsQueueTest {

    private static final String URL = "http://elasticmq:9324/000000000000/jv-queue";

    private final SqsClient sqs = mock(SqsClient.class);

    @Test
    void longPollsForBatchesOfTen() {
        when(sqs.receiveMessage(any(ReceiveMessageRequest.class))).thenReturn(ReceiveMessageResponse.builder()
                .messages(Message.builder().messageId("m1").receiptHandle("r1").body("{}").build())
                .build());

        List<PollLoop.Message> received = new SqsQueue(sqs, URL).receive();

        ArgumentCaptor<ReceiveMessageRequest> request = ArgumentCaptor.forClass(ReceiveMessageRequest.class);
        verify(sqs).receiveMessage(request.capture());
        assertEquals(URL, request.getValue().queueUrl());
        assertEquals(20, request.getValue().waitTimeSeconds());
        assertEquals(10, request.getValue().maxNumberOfMessages());
        assertEquals(List.of(new PollLoop.Message("m1", "r1", "{}")), received);
    }

    @Test
    void deletesTheHandledReceipts() {
        when(sqs.deleteMessageBatch(any(DeleteMessageBatchRequest.class)))
                .thenReturn(DeleteMessageBatchResponse.builder().build());

        new SqsQueue(sqs, URL).delete(List.of(
                new PollLoop.Message("m1", "r1", "a"), new PollLoop.Message("m3", "r3", "c")));

        ArgumentCaptor<DeleteMessageBatchRequest> request = ArgumentCaptor.forClass(DeleteMessageBatchRequest.class);
        verify(sqs).deleteMessageBatch(request.capture());
        assertEquals(URL, request.getValue().queueUrl());
        assertEquals(List.of("r1", "r3"), request.getValue().entries().stream()
                .map(DeleteMessageBatchRequestEntry::receiptHandle).toList());
    }

    @Test
    void failedDeletesAreReported() {
        when(sqs.deleteMessageBatch(any(DeleteMessageBatchRequest.class))).thenReturn(DeleteMessageBatchResponse.builder()
                .failed(BatchResultErrorEntry.builder().id("0").code("ReceiptHandleIsInvalid").message("expired").build())
                .build());

        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> new SqsQueue(sqs, URL).delete(List.of(new PollLoop.Message("m1", "r1", "a"))));
        assertTrue(error.getMessage().contains("m1: expired"), error.getMessage());
    }

    @Test
    void queueUrlIsRequired() {
        IllegalStateException error = assertThrows(IllegalStateException.class, () -> new SqsQueue(sqs, ""));
        assertEquals("QUEUE_URL is not set", error.getMessage());
    }
}
