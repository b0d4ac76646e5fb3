package com.payments.jvqueue.worker;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

/** {@link PollLoop.Queue} on SQS: long polling, batches of up to 10. */
public class SqsQueue implements PollLoop.Queue {

    /** Long polling: SQS holds the request until a message arrives or 20 s pass. */
    static final int WAIT_TIME_SECONDS = 20;
    /** The most SQS returns at once. */
    static final int MAX_MESSAGES = 10;

    private final SqsClient sqs;
    private final String queueUrl;

    public SqsQueue(SqsClient sqs, String queueUrl) {
        if (queueUrl == null || queueUrl.isBlank()) {
            throw new IllegalStateException("QUEUE_URL is not set");
        }
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    @Override
    public List<PollLoop.Message> receive() {
        ReceiveMessageRequest request = ReceiveMessageRequest.builder()
                .queueUrl(queueUrl)
                .waitTimeSeconds(WAIT_TIME_SECONDS)
                .maxNumberOfMessages(MAX_MESSAGES)
                .build();
        return sqs.receiveMessage(request).messages().stream()
                .map(m -> new PollLoop.Message(m.messageId(), m.receiptHandle(), m.body()))
                .toList();
    }

    @Override
    public void delete(List<PollLoop.Message> handled) {
        List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
        for (int i = 0; i < handled.size(); i++) {
            entries.add(DeleteMessageBatchRequestEntry.builder()
                    .id(Integer.toString(i))
                    .receiptHandle(handled.get(i).receiptHandle())
                    .build());
        }
        DeleteMessageBatchResponse response = sqs.deleteMessageBatch(
                DeleteMessageBatchRequest.builder().queueUrl(queueUrl).entries(entries).build());
        if (response.hasFailed() && !response.failed().isEmpty()) {
            List<String> reasons = new ArrayList<>();
            for (BatchResultErrorEntry failed : response.failed()) {
                reasons.add(handled.get(Integer.parseInt(failed.id())).id() + ": " + failed.message());
            }
            throw new IllegalStateException("could not delete " + reasons);
        }
    }
}
