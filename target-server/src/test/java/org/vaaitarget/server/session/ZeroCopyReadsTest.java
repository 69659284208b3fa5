package org.vaaitarget.server.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class ZeroCopyReadsTest {
    private static final InetSocketAddress LOOPBACK4 = new InetSocketAddress("127.0.0.1", 40000);
    private static final InetSocketAddress LOOPBACK6 = new InetSocketAddress("::1", 40000);
    private static final InetSocketAddress REMOTE = new InetSocketAddress("192.0.2.10", 40000);

    @Test
    void autoSendsFromTheFileToOtherHostsOnlyAlwaysAndNeverMeanIt() {
        assertFalse(ZeroCopyReads.AUTO.appliesTo(LOOPBACK4));
        assertFalse(ZeroCopyReads.AUTO.appliesTo(LOOPBACK6));
        assertTrue(ZeroCopyReads.AUTO.appliesTo(REMOTE));
        assertTrue(ZeroCopyReads.ALWAYS.appliesTo(LOOPBACK4));
        assertFalse(ZeroCopyReads.NEVER.appliesTo(REMOTE));
    }

    @Test
    void printsAsTheConfigurationSpellsIt() {
        assertEquals("auto", ZeroCopyReads.AUTO.toString());
    }
}
