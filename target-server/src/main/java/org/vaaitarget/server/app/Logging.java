package org.vaaitarget.server.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Switches the root logger to DEBUG at run time (for --verbose); LOG_LEVEL does the same from logback.xml. */
final class Logging {
    private Logging() {
    }

    static void enableDebug() {
        Logger root = LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        if (root instanceof ch.qos.logback.classic.Logger logback) {
            logback.setLevel(ch.qos.logback.classic.Level.DEBUG);
        }
    }
}
