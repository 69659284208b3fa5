package org.vaaitarget.server.app;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Run-time changes to the Logback setup of logback.xml: DEBUG for --verbose (LOG_LEVEL does the same from
 * logback.xml), and the JSON console format for {@code --log-format json} / YAML {@code logging.format}.
 */
final class Logging {
    /** The console appender of logback.xml. */
    static final String CONSOLE = "CONSOLE";

    /** {@code text}: logback.xml's pattern; {@code json}: one JSON object per line ({@link JsonLogEncoder}). */
    enum Format {
        TEXT, JSON;

        /** @param where the flag or key, for the error: {@code --log-format} or {@code config logging.format} */
        static Format parse(String text, String where) throws ConfigException {
            if (text != null) {
                for (Format f : values()) {
                    if (f.name().toLowerCase(Locale.ROOT).equals(text)) {
                        return f;
                    }
                }
            }
            throw new ConfigException(where + " '" + text + "': use text or json");
        }
    }

    /** Whether the console now writes JSON records (then plain lines on stdout would break the stream). */
    private static volatile boolean jsonConsole;

    private Logging() {
    }

    static boolean jsonConsole() {
        return jsonConsole;
    }

    static void enableDebug() {
        Logger root = LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        if (root instanceof ch.qos.logback.classic.Logger logback) {
            logback.setLevel(ch.qos.logback.classic.Level.DEBUG);
        }
    }

    /** Applies the format to the process's logging (see {@link #useFormat(LoggerContext, Format)}). */
    static void useFormat(Format format) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            jsonConsole = useFormat(context, format) && format == Format.JSON;
        }
    }

    /**
     * For JSON, replaces logback.xml's console appender by one with the JSON encoder, on the same stream.
     * Without that appender (a logback configuration of the user's own, {@code -Dlogback.configurationFile})
     * nothing changes: that configuration decides the format.
     *
     * @return whether the console appender now writes the format
     */
    static boolean useFormat(LoggerContext context, Format format) {
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        Appender<ILoggingEvent> old = root.getAppender(CONSOLE);
        if (!(old instanceof ConsoleAppender<ILoggingEvent> console)) {
            return false;
        }
        if (format == Format.TEXT) {
            return true; // logback.xml's pattern
        }
        if (console.getEncoder() instanceof JsonLogEncoder) {
            return true;
        }
        JsonLogEncoder encoder = new JsonLogEncoder();
        encoder.setContext(context);
        encoder.start();
        ConsoleAppender<ILoggingEvent> json = new ConsoleAppender<>();
        json.setContext(context);
        json.setName(CONSOLE);
        json.setTarget(console.getTarget());
        json.setEncoder(encoder);
        json.start();
        root.addAppender(json);
        root.detachAppender(console);
        console.stop();
        return true;
    }
}
