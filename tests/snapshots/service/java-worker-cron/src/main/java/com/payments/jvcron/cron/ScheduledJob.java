package com.payments.jvcron.cron;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The work done on every schedule tick (the schedule lives in the
 * terraform configuration). Throw to fail the run: the process exits
 * non-zero and the run counts as failed.
 */
@Component
public class ScheduledJob implements CronRun.Job {

    private static final Logger log = LoggerFactory.getLogger(ScheduledJob.class);

    @Override
    public void run() throws Exception {
        log.info("nothing to do yet: put the scheduled work in ScheduledJob.run()");
    }
}
