package {{ java_package }};

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
{%- if kind == "web" or trigger == "queue" %}
import sun.misc.Signal;
{%- endif %}

/**
 * Entry point of {{ service_name }}.
{%- if kind == "web" %}
 *
 * <p>Started without arguments it serves HTTP on {@code PORT}: {@code /health}
 * (liveness) and {@code /ready} (datastores reachable, not draining).
{%- elif trigger == "queue" %}
 *
 * <p>Started with the {@code worker} argument (the image's default command) it
 * long-polls {@code QUEUE_URL} until SIGTERM: see {@code worker.SqsWorker}.
{%- else %}
 *
 * <p>Started with the {@code cron} argument (the image's default command) it
 * runs the scheduled job once and exits with its status: see
 * {@code cron.CronCommand}.
{%- endif %}
 */
@SpringBootApplication
public class {{ class_prefix }}Application {

    public static void main(String[] args) {
{%- if kind == "web" %}
        if (!usable(Mode.WEB, args)) {
            System.exit(2);
        }
        exitZeroOnSigterm();
        SpringApplication.run({{ class_prefix }}Application.class, args);
{%- elif trigger == "queue" %}
        if (!usable(Mode.WORKER, args)) {
            System.exit(2);
        }
        exitZeroOnSigterm();
        SpringApplication.run({{ class_prefix }}Application.class, args);
{%- else %}
        if (!usable(Mode.CRON, args)) {
            System.exit(2);
        }
        // Runs the job once (CronCommand), then exits with its exit code.
        System.exit(SpringApplication.exit(SpringApplication.run({{ class_prefix }}Application.class, args)));
{%- endif %}
    }

{%- if kind == "web" or trigger == "queue" %}

    /**
     * ECS stops a task with SIGTERM. Leaving through {@code System.exit(0)}
     * runs the shutdown hooks (Spring's graceful shutdown) as the JVM's own
     * handler does, but the task ends with 0 instead of 143 (128 + SIGTERM).
     */
    private static void exitZeroOnSigterm() {
        Signal.handle(new Signal("TERM"), signal -> System.exit(0));
    }
{%- endif %}

    private static boolean usable(Mode expected, String[] args) {
        try {
            Mode mode = Mode.of(args);
            if (mode == expected) {
                return true;
            }
            System.err.println("this image runs as " + expected.usage() + ", not " + mode.usage());
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
        }
        return false;
    }
}
