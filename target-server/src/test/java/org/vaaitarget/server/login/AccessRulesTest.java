package org.vaaitarget.server.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.vaaitarget.core.dispatch.LunMask;
import org.vaaitarget.core.scsi.ItNexus;

/** Address ranges, allow lists, LUN masks, credentials rules and the failure throttle. */
class AccessRulesTest {

    @ParameterizedTest
    @CsvSource({
        "10.0.0.0/8, 10.1.2.3, true",
        "10.0.0.0/8, 11.0.0.1, false",
        "192.0.2.7, 192.0.2.7, true",
        "192.0.2.7, 192.0.2.8, false",
        "192.0.2.0/25, 192.0.2.127, true",
        "192.0.2.0/25, 192.0.2.128, false",
        "0.0.0.0/0, 203.0.113.9, true",
        "fd00::/8, fd12::1, true",
        "fd00::/8, fe80::1, false",
        "127.0.0.1, ::ffff:127.0.0.1, true",
        "::1, 127.0.0.1, false",
    })
    void addressRanges(String range, String address, boolean inside) throws Exception {
        assertEquals(inside, AddressRange.parse(range).contains(InetAddress.getByName(address)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"host.example", "10.0.0.0/33", "10.0.0.0/x", "", "::1/129"})
    void badRangesAreRefused(String text) {
        assertThrows(IllegalArgumentException.class, () -> AddressRange.parse(text));
    }

    @Test
    void allowListMatchesNameAndAddress() throws Exception {
        TargetAccess access = new TargetAccess(AuthConfig.NONE, List.of(InitiatorRule.named("iqn.2026-11.a:one"),
                new InitiatorRule("iqn.2026-11.a:two", AddressRange.parse("10.0.0.0/8"))), Map.of());
        InetAddress inside = InetAddress.getByName("10.0.0.5");
        InetAddress outside = InetAddress.getByName("192.0.2.1");
        assertTrue(access.allows("iqn.2026-11.a:one", outside));
        assertTrue(access.allows("IQN.2026-11.A:ONE", null));
        assertTrue(access.allows("iqn.2026-11.a:two", inside));
        assertFalse(access.allows("iqn.2026-11.a:two", outside));
        assertFalse(access.allows("iqn.2026-11.a:three", inside));
        assertTrue(TargetAccess.OPEN.allows("iqn.2026-11.a:three", null), "an empty list allows everyone");
    }

    @Test
    void lunMaskHidesListedLunsFromOthers() {
        LunMask mask = new TargetAccess(AuthConfig.NONE, List.of(), Map.of(1, Set.of("iqn.2026-11.a:one"))).lunMask();
        ItNexus one = new ItNexus("iqn.2026-11.a:one", "000000000001", "t", 1);
        ItNexus two = new ItNexus("iqn.2026-11.a:two", "000000000001", "t", 1);
        assertTrue(mask.visible(one, 0));
        assertTrue(mask.visible(two, 0));
        assertTrue(mask.visible(one, 1));
        assertFalse(mask.visible(two, 1));
        assertTrue(TargetAccess.OPEN.lunMask() == LunMask.NONE);
    }

    @Test
    void secretsShorterThan12BytesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChapCredentials.of("u", "elevenbytes"));
        assertTrue(e.getMessage().contains("at least 12"), e.getMessage());
        ChapCredentials.of("u", "twelve-bytes");
    }

    @Test
    void mutualSecretMustDiffer() {
        ChapCredentials a = ChapCredentials.of("a", "same-secret-123");
        ChapCredentials b = ChapCredentials.of("b", "same-secret-123");
        assertThrows(IllegalArgumentException.class, () -> new AuthConfig(a, b));
        assertThrows(IllegalArgumentException.class, () -> new AuthConfig(null, b));
    }

    @Test
    void secretsAreNotInToString() {
        String text = new AuthConfig(ChapCredentials.of("a", "top-secret-value"), null).toString();
        assertFalse(text.contains("top-secret-value"), text);
    }

    @Test
    void throttleDoublesUpToTheBoundAndForgets() {
        AtomicLong now = new AtomicLong();
        AuthFailureThrottle t = new AuthFailureThrottle(now::get);
        for (long s : new long[] {1, 2, 4, 8, 16, 16}) {
            assertEquals(Duration.ofSeconds(s), t.failed("10.0.0.1"));
        }
        assertEquals(Duration.ofSeconds(1), t.failed("10.0.0.2"), "per address");
        now.addAndGet(AuthFailureThrottle.FORGET_AFTER.toNanos() + 1);
        assertEquals(Duration.ofSeconds(1), t.failed("10.0.0.1"), "forgotten after a quiet period");
        assertEquals(Duration.ofSeconds(2), t.failed("10.0.0.1"));
        t.succeeded("10.0.0.1");
        assertEquals(Duration.ofSeconds(1), t.failed("10.0.0.1"), "a success starts over");
    }

    @Test
    void binaryValues() {
        assertEquals("0x0a0b", BinaryValues.hex(new byte[] {10, 11}));
        assertEquals(List.of((byte) 1, (byte) 0xAB), toList(BinaryValues.decode("0x1ab")), "odd digits: leading zero");
        assertEquals(List.of((byte) 1, (byte) 2, (byte) 3), toList(BinaryValues.decode("0bAQID")));
        assertThrows(IllegalArgumentException.class, () -> BinaryValues.decode("0x"));
        assertThrows(IllegalArgumentException.class, () -> BinaryValues.decode("0y12"));
    }

    private static List<Byte> toList(byte[] b) {
        List<Byte> out = new java.util.ArrayList<>();
        for (byte x : b) {
            out.add(x);
        }
        return out;
    }
}
