package org.vaaitarget.server.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/** Keeps the records of one logger (and its children) while open. */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    public LogCapture(String loggerName) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        logger = context.getLogger(loggerName);
        appender.setContext(context);
        appender.start();
        logger.addAppender(appender);
    }

    public List<ILoggingEvent> events() {
        return List.copyOf(appender.list);
    }

    /** A record's key/value pairs (SLF4J addKeyValue), in order, values as text. */
    public static Map<String, String> fields(ILoggingEvent e) {
        Map<String, String> kv = new LinkedHashMap<>();
        if (e.getKeyValuePairs() != null) {
            for (KeyValuePair p : e.getKeyValuePairs()) {
                kv.put(p.key, String.valueOf(p.value));
            }
        }
        return kv;
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
