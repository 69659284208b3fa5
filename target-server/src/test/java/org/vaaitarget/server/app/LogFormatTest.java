package org.vaaitarget.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.vaaitarget.core.sbc.forensics.MiscompareLogBudget;
import org.vaaitarget.core.observe.MiscompareCause;
import org.vaaitarget.core.sbc.forensics.MiscompareReport;
import org.vaaitarget.core.sbc.forensics.WriteRecord;
import org.vaaitarget.server.testing.LogCapture;

/**
 * The console log formats of logback.xml: text with ISO 8601 timestamps and the zone, and JSON
 * ({@code --log-format json}) in which the key/value fields of a record are JSON fields.
 */
class LogFormatTest {
    private static final String ISO_WITH_ZONE = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(Z|[+-]\\d{2}:\\d{2})";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** A fresh Logback context set up from the server's own logback.xml (tests otherwise use logback-test.xml). */
    private static LoggerContext serverLogging() throws Exception {
        LoggerContext context = new LoggerContext();
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(context);
        joran.doConfigure(LogFormatTest.class.getResource("/logback.xml"));
        return context;
    }

    @SuppressWarnings("unchecked")
    private static Encoder<ILoggingEvent> consoleEncoder(LoggerContext context) {
        ConsoleAppender<ILoggingEvent> console = assertInstanceOf(ConsoleAppender.class,
                context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(Logging.CONSOLE));
        assertTrue(console.isStarted());
        return console.getEncoder();
    }

    /** The WARN record of an ATS miscompare, as MiscompareReport writes it. */
    private static ILoggingEvent miscompareRecord() {
        MiscompareReport report = new MiscompareReport("iqn.1998-01.com.vmware:esx-a", "00023d000001",
                "iqn.2026-11.org.vaaitarget:disk0", 0, "COMPARE AND WRITE", 8, 1, 100, 92,
                "00000000000000000000000000000000", "0000000000000000bb00000000000000", 8,
                new WriteRecord("iqn.1998-01.com.vmware:esx-b,i,0x00023d000002", "WRITE(10)", 8, 1,
                        Instant.parse("2026-11-22T05:24:21.122Z")),
                MiscompareCause.CONTENTION);
        try (LogCapture capture = new LogCapture(MiscompareReport.LOGGER_NAME)) {
            report.log(new MiscompareLogBudget());
            List<ILoggingEvent> events = capture.events();
            assertEquals(1, events.size(), events::toString);
            return events.get(0);
        }
    }

    /** Every member of a JSON record's kvpList, in order. */
    static Map<String, String> kvpList(JsonNode record) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (JsonNode pair : record.get("kvpList")) {
            pair.fields().forEachRemaining(f -> kv.put(f.getKey(), f.getValue().asText()));
        }
        return kv;
    }

    /** One JSON record as {@code --log-format json} writes it. */
    static JsonNode json(ILoggingEvent e) throws Exception {
        LoggerContext context = serverLogging();
        try {
            assertTrue(Logging.useFormat(context, Logging.Format.JSON));
            Encoder<ILoggingEvent> encoder = consoleEncoder(context);
            assertInstanceOf(JsonLogEncoder.class, encoder);
            String line = new String(encoder.encode(e), StandardCharsets.UTF_8);
            assertTrue(line.endsWith("\n") && line.indexOf('\n') == line.length() - 1, "one line per record: " + line);
            return JSON.readTree(line);
        } finally {
            context.stop();
        }
    }

    @Test
    void jsonMiscompareRecordParsesAndKeepsEveryFieldAsAJsonField() throws Exception {
        ILoggingEvent e = miscompareRecord();
        JsonNode record = json(e);
        assertEquals("WARN", record.get("level").asText());
        assertEquals("org.vaaitarget.ats", record.get("loggerName").asText());
        assertTrue(record.get("formattedMessage").asText().startsWith("ATS miscompare (contention) on LUN 0 LBA 8"), record::toString);
        assertTrue(record.get("time").asText().matches(ISO_WITH_ZONE), record::toString);
        assertEquals(e.getTimeStamp(), Instant.from(java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME
                .parse(record.get("time").asText())).toEpochMilli());
        Map<String, String> fields = kvpList(record);
        assertEquals(LogCapture.fields(e), fields, "every key/value pair of the record, in order");
        assertEquals("iqn.1998-01.com.vmware:esx-a", fields.get("initiator"));
        assertEquals("8", fields.get("lba"));
        assertEquals("100", fields.get("offset"));
        assertEquals("iqn.1998-01.com.vmware:esx-b,i,0x00023d000002", fields.get("lastWriter"));
        assertEquals("2026-11-22T05:24:21.122Z", fields.get("lastWriteTime"));
        assertEquals("contention", fields.get("cause"));
    }

    @Test
    void textRecordStartsWithAnIsoTimestampWithZoneAndShowsTheFields() throws Exception {
        ILoggingEvent e = miscompareRecord();
        LoggerContext context = serverLogging();
        try {
            assertTrue(Logging.useFormat(context, Logging.Format.TEXT));
            String line = new String(consoleEncoder(context).encode(e), StandardCharsets.UTF_8);
            assertTrue(line.matches("(?s)" + ISO_WITH_ZONE + " WARN  \\[.*\\] ats - initiator=\"iqn.1998-01.com.vmware:esx-a\" "
                    + "isid=\"00023d000001\" .* lastWriter=\"iqn.1998-01.com.vmware:esx-b,i,0x00023d000002\" .*"
                    + "ATS miscompare \\(contention\\) on LUN 0 LBA 8 .*\n"), line);
            assertEquals(LogTime.format(Instant.ofEpochMilli(e.getTimeStamp())), line.substring(0, line.indexOf(' ')),
                    "the text and JSON timestamps are the same text");
        } finally {
            context.stop();
        }
    }

    @Test
    void logFormatFlagAndConfigKey() throws Exception {
        assertEquals(Logging.Format.JSON, Logging.Format.parse("json", "--log-format"));
        ConfigException bad = assertThrows(ConfigException.class, () -> Logging.Format.parse("xml", "--log-format"));
        assertEquals("--log-format 'xml': use text or json", bad.getMessage());

        String target = "targets:\n  - iqn: iqn.2026-11.org.example:a\n    luns: [{file: a.img, size: 1M}]\n";
        assertEquals(Logging.Format.JSON, ConfigLoader.parseFile("logging: {format: json}\n" + target, dir).logFormat());
        assertEquals(null, ConfigLoader.parseFile(target, dir).logFormat());
        ConfigException badKey = assertThrows(ConfigException.class,
                () -> ConfigLoader.parseFile("logging: {format: yaml}\n" + target, dir));
        assertEquals("config logging.format 'yaml': use text or json", badKey.getMessage());
        Files.writeString(dir.resolve("t.yaml"), "logging: {format: json}\n" + target);
        assertEquals(Logging.Format.JSON, ConfigLoader.read(dir.resolve("t.yaml")).logFormat());
    }

    @Test
    void withoutTheServersConsoleAppenderTheFormatIsLeftToTheUsersConfiguration() {
        LoggerContext context = new LoggerContext(); // no CONSOLE appender: e.g. -Dlogback.configurationFile
        try {
            assertEquals(false, Logging.useFormat(context, Logging.Format.JSON));
        } finally {
            context.stop();
        }
    }
}
