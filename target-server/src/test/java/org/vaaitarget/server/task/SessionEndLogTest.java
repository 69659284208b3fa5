package org.vaaitarget.server.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.server.pdu.Opcode;
import org.vaaitarget.server.session.SessionEnd;

/**
 * Issue 12, logs an administrator can read: every end of a session is one INFO line with key=value
 * fields (initiator, address, ISID, TSIH, duration, commands, reason); a peer's connection reset is
 * that line, not a WARN with a stack trace.
 */
class SessionEndLogTest {
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(FullFeatureHandler.class);
    private FfpHarness h;

    @BeforeEach
    void capture() {
        appender.start();
        logger.addAppender(appender);
        logger.setLevel(Level.DEBUG);
    }

    @AfterEach
    void release() {
        logger.detachAppender(appender);
        logger.setLevel(null);
        if (h != null) {
            h.close();
        }
    }

    private ILoggingEvent onlyInfoOrAbove() {
        List<ILoggingEvent> events = appender.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO)).toList();
        assertEquals(1, events.size(), () -> "one line, got " + events);
        return events.get(0);
    }

    private static Map<String, String> fields(ILoggingEvent e) {
        Map<String, String> m = new LinkedHashMap<>();
        for (KeyValuePair kv : e.getKeyValuePairs()) {
            m.put(kv.key, String.valueOf(kv.value));
        }
        return m;
    }

    private void runCommands(int n) {
        h.router.autoResult = c -> CommandResult.good(0);
        for (int i = 0; i < n; i++) {
            h.send(FfpHarness.scsiCommand(i + 1, FfpHarness.FIRST_CMD_SN + i, 0x80, 0, new byte[6], null));
            h.run();
            h.next(Opcode.SCSI_RESPONSE).release();
        }
    }

    @Test
    void aConnectionResetByThePeerIsOneInfoLineWithoutStackTrace() {
        h = new FfpHarness(FfpHarness.defaults());
        runCommands(2);
        h.channel.pipeline().fireExceptionCaught(new IOException("recvAddress(..) failed: Connection reset by peer"));
        h.run();
        ILoggingEvent e = onlyInfoOrAbove();
        assertEquals(Level.INFO, e.getLevel());
        assertNull(e.getThrowableProxy(), "no stack trace");
        Map<String, String> f = fields(e);
        assertEquals("iqn.1994-05.com.example:init", f.get("initiator"));
        assertEquals("00023d000001", f.get("isid"));
        assertEquals("1", f.get("tsih"));
        assertEquals(FfpHarness.TARGET, f.get("target"));
        assertEquals("2", f.get("commands"));
        assertEquals(SessionEnd.RESET_BY_PEER, f.get("reason"));
        assertTrue(f.containsKey("peer") && f.containsKey("duration"), f::toString);
        assertTrue(e.getFormattedMessage().contains("Connection reset by peer"), e.getFormattedMessage());
    }

    @Test
    void aBrokenPipeToo() {
        h = new FfpHarness(FfpHarness.defaults());
        h.channel.pipeline().fireExceptionCaught(new IOException("writevAddresses(..) failed: Broken pipe"));
        h.run();
        ILoggingEvent e = onlyInfoOrAbove();
        assertEquals(Level.INFO, e.getLevel());
        assertEquals(SessionEnd.BROKEN_PIPE, fields(e).get("reason"));
    }

    @Test
    void logoutIsLoggedWithTheCommandsServed() {
        h = new FfpHarness(FfpHarness.defaults());
        runCommands(3);
        h.send(FfpHarness.logout(0x99, 0, FfpHarness.FIRST_CMD_SN + 3));
        h.run();
        h.next(Opcode.LOGOUT_RESPONSE).release();
        ILoggingEvent e = onlyInfoOrAbove();
        assertEquals(Level.INFO, e.getLevel());
        assertEquals(SessionEnd.LOGOUT, fields(e).get("reason"));
        assertEquals("3", fields(e).get("commands"));
    }

    @Test
    void reinstatementAndPeerCloseSayWhy() {
        h = new FfpHarness(FfpHarness.defaults());
        h.session.close(SessionEnd.REINSTATEMENT);
        h.run();
        assertEquals(SessionEnd.REINSTATEMENT, fields(onlyInfoOrAbove()).get("reason"));
        appender.list.clear();
        h.close();
        h = new FfpHarness(FfpHarness.defaults());
        h.channel.close();
        assertEquals(SessionEnd.CLOSED_BY_PEER, fields(onlyInfoOrAbove()).get("reason"));
    }

    @Test
    void anUnexpectedErrorIsStillAWarningWithItsStackTrace() {
        h = new FfpHarness(FfpHarness.defaults());
        h.channel.pipeline().fireExceptionCaught(new IllegalStateException("bug"));
        h.run();
        List<ILoggingEvent> warn = appender.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
        assertEquals(1, warn.size());
        assertTrue(warn.get(0).getThrowableProxy() != null);
        assertTrue(appender.list.stream().anyMatch(e -> e.getLevel() == Level.INFO
                && SessionEnd.ERROR.equals(fields(e).get("reason"))));
    }
}
