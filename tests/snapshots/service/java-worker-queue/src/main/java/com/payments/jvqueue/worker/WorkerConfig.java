package com.payments.jvqueue.worker;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The SQS client. Credentials come from the task role; locally
 * {@code AWS_ENDPOINT_URL_SQS} points the SDK at ElasticMQ.
 */
@Configuration(proxyBeanMethods = false)
public class WorkerConfig {

    @Bean(destroyMethod = "close")
    public SqsClient sqsClient(@Value("${app.aws-region}") String region) {
        return SqsClient.builder().region(Region.of(region)).build();
    }
}
