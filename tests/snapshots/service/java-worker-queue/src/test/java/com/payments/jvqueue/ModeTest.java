package com.payments.jvqueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ModeTest {

    @Test
    void noArgumentServesHttp() {
        assertEquals(Mode.WEB, Mode.of());
        assertEquals(Mode.WEB, Mode.of("--server.port=8081"));
    }

    @Test
    void workerAndCronArguments() {
        assertEquals(Mode.WORKER, Mode.of("worker"));
        assertEquals(Mode.CRON, Mode.of("--logging.level.root=DEBUG", "cron"));
    }

    @Test
    void unknownCommandIsNamed() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> Mode.of("serve"));
        assertTrue(error.getMessage().contains("`serve`"), error.getMessage());
    }
}
