package org.vaaitarget.server.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.vaaitarget.server.testing.Contexts.INITIATOR;
import static org.vaaitarget.server.testing.Contexts.TARGET;
import static org.vaaitarget.server.testing.Requests.login;

import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vaaitarget.server.testing.Contexts;
import org.vaaitarget.server.testing.LogCapture;

/** The session lifecycle records of the login carry their facts as key/value fields (JSON fields in --log-format json). */
class SessionLogRecordsTest {
    private final LoginHarness h = new LoginHarness(Contexts.oneTarget());

    @AfterEach
    void noLeftovers() {
        h.assertNoLeftovers();
    }

    @Test
    void loginCompleteRecordNamesTheSession() {
        List<ILoggingEvent> events;
        try (LogCapture capture = new LogCapture(LoginHandler.class.getName())) {
            h.keys(login(1, 3, "InitiatorName", INITIATOR, "SessionType", "Normal", "TargetName", TARGET));
            events = capture.events();
        }
        assertEquals(1, events.size(), events::toString);
        Map<String, String> kv = LogCapture.fields(events.get(0));
        assertEquals("login", kv.get("event"));
        assertEquals(INITIATOR, kv.get("initiator"));
        assertEquals(TARGET, kv.get("target"));
        assertEquals("normal", kv.get("type"));
        assertEquals(String.valueOf(h.successor.session.tsih()), kv.get("tsih"));
        assertEquals(h.successor.session.isid(), kv.get("isid"));
        assertEquals(List.of("event", "initiator", "isid", "target", "tsih", "type", "peer"), List.copyOf(kv.keySet()));
    }

    @Test
    void loginFailureRecordHasTheStatus() {
        List<ILoggingEvent> events;
        try (LogCapture capture = new LogCapture(LoginHandler.class.getName())) {
            assertEquals(0x0203, h.status(login(1, 3, "InitiatorName", INITIATOR, "SessionType", "Normal",
                    "TargetName", "iqn.2026-11.org.example:nope")));
            events = capture.events();
        }
        assertEquals(1, events.size(), events::toString);
        Map<String, String> kv = LogCapture.fields(events.get(0));
        assertEquals("login-failed", kv.get("event"));
        assertEquals(INITIATOR, kv.get("initiator"));
        assertEquals("0x0203", kv.get("status"));
    }
}
