package com.payments.jvqueue;

/**
 * How the process was started. The container command decides: no argument
 * serves HTTP, {@code worker} consumes the queue, {@code cron} runs the
 * scheduled job once. Arguments starting with {@code --} are Spring Boot
 * property overrides (such as {@code --server.port=8081}) and are skipped.
 */
public enum Mode {
    WEB(""),
    WORKER("worker"),
    CRON("cron");

    private final String argument;

    Mode(String argument) {
        this.argument = argument;
    }

    /** The command-line argument selecting this mode (empty for {@link #WEB}). */
    public String argument() {
        return argument;
    }

    /** How to start this mode, for messages. */
    public String usage() {
        return argument.isEmpty() ? "a web service (no argument)" : "`" + argument + "`";
    }

    /**
     * The mode selected by {@code args}.
     *
     * @throws IllegalArgumentException for an unknown command, naming it
     */
    public static Mode of(String... args) {
        for (String arg : args) {
            if (arg.startsWith("--")) {
                continue;
            }
            for (Mode mode : values()) {
                if (!mode.argument.isEmpty() && mode.argument.equals(arg)) {
                    return mode;
                }
            }
            throw new IllegalArgumentException(
                    "unknown command `" + arg + "`: expected `worker`, `cron` or no argument");
        }
        return WEB;
    }
}
