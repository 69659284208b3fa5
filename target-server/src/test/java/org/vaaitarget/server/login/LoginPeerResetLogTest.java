package org.vaaitarget.server.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.vaaitarget.server.testing.Contexts;

/** Issue 12: a peer that resets its connection during login is one INFO line, not a WARN with a stack trace. */
class LoginPeerResetLogTest {

    @Test
    void aConnectionResetDuringLoginIsOneInfoLine() {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        Logger logger = (Logger) LoggerFactory.getLogger(LoginHandler.class);
        appender.start();
        logger.addAppender(appender);
        try {
            LoginHarness h = new LoginHarness(Contexts.oneTarget());
            h.channel.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));
            List<ILoggingEvent> lines = appender.list.stream()
                    .filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO)).toList();
            assertEquals(1, lines.size(), () -> lines.toString());
            assertEquals(Level.INFO, lines.get(0).getLevel());
            assertNull(lines.get(0).getThrowableProxy(), "no stack trace");
            assertFalse(h.channel.isActive(), "closed");
            h.channel.finishAndReleaseAll();
        } finally {
            logger.detachAppender(appender);
        }
    }
}
