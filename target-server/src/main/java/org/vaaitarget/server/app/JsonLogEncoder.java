package org.vaaitarget.server.app;

import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.time.Instant;

/**
 * {@code --log-format json}: Logback's own {@link JsonEncoder} (one JSON object per line), trimmed to what
 * a log pipeline needs, plus a {@code "time"} field with the date, time and zone offset (ISO 8601, the
 * same text as the console pattern's timestamp) beside Logback's epoch-millisecond {@code "timestamp"}.
 *
 * <p>A record's key/value pairs (SLF4J {@code addKeyValue}: the ATS miscompare records, the session
 * lifecycle lines) are in {@code "kvpList"}, an array of one-member objects in the order they were added:
 * {@code "kvpList": [{"initiator":"iqn..."},{"lun":"0"},...]}; the values are strings.
 * The rendered message is {@code "formattedMessage"}; Logback's unformatted {@code "message"} and its
 * {@code "arguments"} are left out (they repeat it), as are the logger context and the empty MDC.
 */
public class JsonLogEncoder extends JsonEncoder {
    public JsonLogEncoder() {
        setWithSequenceNumber(false);
        setWithNanoseconds(false);
        setWithContext(false);
        setWithMDC(false);
        setWithMessage(false);
        setWithArguments(false);
        setWithFormattedMessage(true);
    }

    @Override
    protected void appendCustomFields(StringBuilder sb, ILoggingEvent event) {
        // Called after the last standard member (the throwable, always written, null when absent).
        sb.append(",\"time\":\"").append(LogTime.format(Instant.ofEpochMilli(event.getTimeStamp()))).append('"');
    }
}
