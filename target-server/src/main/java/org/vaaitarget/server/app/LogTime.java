package org.vaaitarget.server.app;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** Log timestamps: ISO 8601 with milliseconds and the zone offset of this machine, like 2026-12-06T19:56:53.123+01:00. */
final class LogTime {
    /** The same layout as {@code %d{...}} in logback.xml (Logback formats it with java.time too). */
    static final String PATTERN = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern(PATTERN).withZone(ZoneId.systemDefault());

    private LogTime() {
    }

    static String format(Instant t) {
        return FORMAT.format(t);
    }
}
