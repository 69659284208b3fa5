package org.vaaitarget.server.task;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vaaitarget.server.pdu.Opcode;
import org.vaaitarget.server.testing.LogCapture;

/** The session-end record: who, and why (logout or connection loss), as key/value fields. */
class SessionEndRecordTest {
    private final FfpHarness h = new FfpHarness(FfpHarness.defaults());

    @AfterEach
    void tearDown() {
        h.close();
    }

    private static Map<String, String> sessionEnd(List<ILoggingEvent> events) {
        List<Map<String, String>> ends = events.stream().map(LogCapture::fields)
                .filter(kv -> "session-end".equals(kv.get("event"))).toList();
        assertEquals(1, ends.size(), events::toString);
        return ends.get(0);
    }

    @Test
    void logoutEndsTheSessionWithReasonLogout() {
        Map<String, String> kv;
        try (LogCapture capture = new LogCapture(FullFeatureHandler.class.getName())) {
            h.send(FfpHarness.logout(0x10, 0, 100));
            h.next(Opcode.LOGOUT_RESPONSE).release();
            kv = sessionEnd(capture.events());
        }
        assertEquals("logout", kv.get("reason"));
        assertEquals(h.session.initiatorName(), kv.get("initiator"));
        assertEquals(h.session.isid(), kv.get("isid"));
        assertEquals("1", kv.get("tsih"));
        assertEquals("normal", kv.get("type"));
    }

    @Test
    void connectionLossEndsTheSessionWithReasonClosedByPeer() {
        Map<String, String> kv;
        try (LogCapture capture = new LogCapture(FullFeatureHandler.class.getName())) {
            h.channel.close();
            kv = sessionEnd(capture.events());
        }
        assertEquals("closed-by-peer", kv.get("reason"));
    }
}
