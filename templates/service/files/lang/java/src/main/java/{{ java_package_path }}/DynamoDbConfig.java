package {{ java_package }};

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * DynamoDB client for the table in {@code DYNAMODB_TABLE}. Credentials come
 * from the task role; locally {@code AWS_ENDPOINT_URL_DYNAMODB} points the SDK
 * at DynamoDB Local.
 */
@Configuration(proxyBeanMethods = false)
public class DynamoDbConfig {

    @Bean(destroyMethod = "close")
    public DynamoDbClient dynamoDbClient(@Value("${app.aws-region}") String region) {
        return DynamoDbClient.builder().region(Region.of(region)).build();
    }
}
