package com.payments.jvqueue.worker;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The work of this service, one message at a time. Throw to leave the message
 * on the queue (it is retried, then dead-lettered after 5 receives); return
 * normally and it is deleted. Make it idempotent: SQS may deliver a message
 * more than once.
 */
@Component
public class MessageHandler {

    private static final Logger log = LoggerFactory.getLogger(MessageHandler.class);

    public void handle(PollLoop.Message message) throws Exception {
        log.info("handled message {} ({} characters)", message.id(), message.body().length());
    }
}
