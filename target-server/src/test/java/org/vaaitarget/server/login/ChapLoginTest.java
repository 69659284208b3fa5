package org.vaaitarget.server.login;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vaaitarget.server.testing.Contexts.INITIATOR;
import static org.vaaitarget.server.testing.Contexts.TARGET;
import static org.vaaitarget.server.testing.Requests.login;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.vaaitarget.server.pdu.Pdu;
import org.vaaitarget.server.testing.Contexts;

/** AuthMethod=CHAP at login (RFC 7143 12.1.3, RFC 1994), allow lists and the failed-authentication delay. */
class ChapLoginTest {
    static final ChapCredentials ALICE = ChapCredentials.of("alice", "alice-secret-12");
    static final ChapCredentials TARGET_CREDS = ChapCredentials.of("target-1", "target-secret-34");
    static final String OTHER_INITIATOR = "iqn.2026-11.org.example:intruder";

    private final AtomicLong clock = new AtomicLong();
    private final AuthFailureThrottle throttle = new AuthFailureThrottle(clock::get);
    private LoginHarness h;

    @AfterEach
    void noLeftovers() {
        if (h != null) {
            h.channel.finishAndReleaseAll();
            if (h.successor != null) {
                h.successor.received.forEach(o -> ((Pdu) o).release());
            }
        }
    }

    static ServerContext context(AuthConfig targetAuth, AuthConfig discoveryAuth, List<InitiatorRule> allow,
                                 AuthFailureThrottle throttle) {
        ServerContext base = Contexts.withTargets(2);
        AccessControl access = new AccessControl(discoveryAuth,
                Map.of(TARGET, new TargetAccess(targetAuth, allow, Map.of())), throttle);
        return new ServerContext(base.targets(), base.portals(), base.offer(), base.sessions(), access);
    }

    private void start(AuthConfig targetAuth) {
        start(context(targetAuth, AuthConfig.NONE, List.of(), throttle));
    }

    private void start(ServerContext context) {
        h = new LoginHarness(context);
        h.channel.freezeTime(); // scheduled answers run only when the test advances time
    }

    /** Offers CHAP, then CHAP_A; returns the target's CHAP_A, CHAP_I and CHAP_C. */
    private Map<String, String> challenge(String algorithms) {
        Pdu rsp = h.exchange(login(0, 1, "InitiatorName", INITIATOR, "TargetName", TARGET, "AuthMethod", "CHAP,None"));
        assertEquals(0, rsp.u16(36));
        assertEquals(0, rsp.flags() & 0x80, "no transit before authentication");
        assertEquals("CHAP", org.vaaitarget.server.testing.Requests.pairs(rsp).get("AuthMethod"));
        rsp.release();
        return h.keys(login(0, 1, "CHAP_A", algorithms));
    }

    /** RFC 1994 computed here independently: digest(identifier || secret || challenge). */
    static byte[] digest(String jca, int id, byte[] secret, byte[] challenge) throws Exception {
        MessageDigest md = MessageDigest.getInstance(jca);
        md.update((byte) id);
        md.update(secret);
        md.update(challenge);
        return md.digest();
    }

    static String jca(int code) {
        return switch (code) {
            case 5 -> "MD5";
            case 6 -> "SHA-1";
            case 7 -> "SHA-256";
            case 8 -> "SHA3-256";
            default -> throw new IllegalArgumentException();
        };
    }

    private static String hex(byte[] b) {
        return "0x" + HexFormat.of().formatHex(b);
    }

    private static byte[] unhex(String v) {
        assertTrue(v.startsWith("0x"), v);
        return HexFormat.of().parseHex(v.substring(2));
    }

    private String rightResponse(Map<String, String> c) throws Exception {
        return hex(digest(jca(Integer.parseInt(c.get("CHAP_A"))), Integer.parseInt(c.get("CHAP_I")),
                ALICE.secret(), unhex(c.get("CHAP_C"))));
    }

    private void finishOperational() {
        Pdu rsp = h.exchange(login(1, 3, "MaxRecvDataSegmentLength", "65536"));
        assertEquals(0, rsp.u16(36));
        rsp.release();
        assertNotNull(h.successor, "Full Feature Phase reached");
    }

    /** Runs the scheduled failure answer after exactly {@code millis} of (fake) time; returns its status. */
    private int failureAnsweredAfter(long millis) {
        assertNull(h.channel.readOutbound(), "answered before the delay");
        h.channel.advanceTimeBy(millis - 1, TimeUnit.MILLISECONDS);
        h.channel.runScheduledPendingTasks();
        assertNull(h.channel.readOutbound(), "answered before the delay");
        h.channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        h.channel.runScheduledPendingTasks();
        Pdu rsp = h.channel.readOutbound();
        assertNotNull(rsp, "answered at the delay");
        int status = rsp.u16(36);
        rsp.release();
        assertFalse(h.channel.isOpen(), "closed after the failure");
        assertNull(h.successor);
        return status;
    }

    @ParameterizedTest
    @ValueSource(ints = {5, 6, 7, 8})
    void oneWayChapWithEachAlgorithm(int algorithm) throws Exception {
        start(AuthConfig.chap(ALICE));
        Map<String, String> c = challenge(Integer.toString(algorithm));
        assertEquals(Integer.toString(algorithm), c.get("CHAP_A"));
        int id = Integer.parseInt(c.get("CHAP_I"));
        assertTrue(id >= 0 && id <= 255);
        assertEquals(MessageDigest.getInstance(jca(algorithm)).getDigestLength(), unhex(c.get("CHAP_C")).length,
                "challenge as long as the digest");
        Pdu rsp = h.exchange(login(0, 1, "CHAP_N", "alice", "CHAP_R", rightResponse(c)));
        assertEquals(0, rsp.u16(36));
        assertEquals(0x80, rsp.flags() & 0x80, "transit to the operational stage");
        assertTrue(org.vaaitarget.server.testing.Requests.pairs(rsp).keySet().stream().noneMatch(k -> k.startsWith("CHAP_")));
        rsp.release();
        finishOperational();
    }

    @ParameterizedTest
    @ValueSource(ints = {5, 6, 7, 8})
    void mutualChapWithEachAlgorithm(int algorithm) throws Exception {
        start(new AuthConfig(ALICE, TARGET_CREDS));
        Map<String, String> c = challenge(Integer.toString(algorithm));
        byte[] ours = HexFormat.of().parseHex("00112233445566778899aabbccddeeff0123");
        Map<String, String> r = h.keys(login(0, 1, "CHAP_N", "alice", "CHAP_R", rightResponse(c),
                "CHAP_I", "77", "CHAP_C", hex(ours)));
        assertEquals("target-1", r.get("CHAP_N"));
        assertArrayEquals(digest(jca(algorithm), 77, "target-secret-34".getBytes(StandardCharsets.UTF_8), ours),
                unhex(r.get("CHAP_R")));
        finishOperational();
    }

    @Test
    void theFirstSupportedAlgorithmOfTheOfferIsChosen() {
        start(AuthConfig.chap(ALICE));
        assertEquals("6", challenge("99,6,5").get("CHAP_A"));
    }

    @Test
    void challengesAreFresh() {
        start(AuthConfig.chap(ALICE));
        String first = challenge("5").get("CHAP_C");
        h.channel.finishAndReleaseAll();
        start(AuthConfig.chap(ALICE));
        assertNotEquals(first, challenge("5").get("CHAP_C"));
    }

    @Test
    void base64AndUpperCaseHexResponsesAreAccepted() throws Exception {
        start(AuthConfig.chap(ALICE));
        Map<String, String> c = challenge("5");
        byte[] r = unhex(rightResponse(c));
        assertEquals(0, h.keys(login(0, 1, "CHAP_N", "alice", "CHAP_R", "0b" + Base64.getEncoder().encodeToString(r)))
                .size());
        finishOperational();
        h.channel.finishAndReleaseAll();
        h.successor.received.forEach(o -> ((Pdu) o).release());
        start(AuthConfig.chap(ALICE));
        c = challenge("5");
        h.keys(login(0, 1, "CHAP_N", "alice", "CHAP_R", "0X" + rightResponse(c).substring(2).toUpperCase()));
        finishOperational();
    }

    @Test
    void wrongSecretIsAuthenticationFailureAnsweredAfterTheDelay() throws Exception {
        start(AuthConfig.chap(ALICE));
        Map<String, String> c = challenge("5");
        byte[] wrong = digest("MD5", Integer.parseInt(c.get("CHAP_I")), "wrong-secret-99".getBytes(StandardCharsets.UTF_8),
                unhex(c.get("CHAP_C")));
        h.channel.writeInbound(login(0, 1, "CHAP_N", "alice", "CHAP_R", hex(wrong)));
        assertEquals(0x0201, failureAnsweredAfter(1000));
    }

    @Test
    void repeatedFailuresFromOneAddressWaitLonger() throws Exception {
        ServerContext context = context(AuthConfig.chap(ALICE), AuthConfig.NONE, List.of(), throttle);
        for (long delay : new long[] {1000, 2000, 4000}) {
            start(context);
            challenge("5");
            h.channel.writeInbound(login(0, 1, "CHAP_N", "alice", "CHAP_R", hex(new byte[16])));
            assertEquals(0x0201, failureAnsweredAfter(delay));
            h.channel.finishAndReleaseAll();
        }
        start(context); // a success starts over
        Map<String, String> c = challenge("5");
        h.keys(login(0, 1, "CHAP_N", "alice", "CHAP_R", rightResponse(c)));
        finishOperational();
        h.successor.received.forEach(o -> ((Pdu) o).release());
        h.channel.finishAndReleaseAll();
        start(context);
        challenge("5");
        h.channel.writeInbound(login(0, 1, "CHAP_N", "alice", "CHAP_R", hex(new byte[16])));
        assertEquals(0x0201, failureAnsweredAfter(1000));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "wrong user|CHAP_N=bob",
        "hex with a bad digit|CHAP_R=0xZZ",
        "no prefix|CHAP_R=1234",
        "bad base64|CHAP_R=0b!!!!",
        "empty value|CHAP_R=0x",
        "CHAP_R missing|CHAP_R=",
        "CHAP_I without CHAP_C|CHAP_I=3",
        "CHAP_C without CHAP_I|CHAP_C=0x0102030405060708",
        "CHAP_I out of range|CHAP_I=256,CHAP_C=0x0102030405060708",
        "CHAP_R of the wrong length|CHAP_R=0x0102",
    })
    void malformedResponsesAreAuthenticationFailures(String name, String change) throws Exception {
        start(new AuthConfig(ALICE, TARGET_CREDS));
        Map<String, String> c = challenge("5");
        Map<String, String> keys = new java.util.LinkedHashMap<>(Map.of("CHAP_N", "alice", "CHAP_R", rightResponse(c)));
        for (String kv : change.split(",")) {
            String[] p = kv.split("=", 2);
            if (p[1].isEmpty()) {
                keys.remove(p[0]);
            } else {
                keys.put(p[0], p[1]);
            }
        }
        String[] flat = keys.entrySet().stream().flatMap(e -> java.util.stream.Stream.of(e.getKey(), e.getValue()))
                .toArray(String[]::new);
        h.channel.writeInbound(login(0, 1, flat));
        assertEquals(0x0201, failureAnsweredAfter(1000));
    }

    @Test
    void noSupportedAlgorithmIsAuthenticationFailure() {
        start(AuthConfig.chap(ALICE));
        Pdu rsp = h.exchange(login(0, 1, "InitiatorName", INITIATOR, "TargetName", TARGET, "AuthMethod", "CHAP"));
        rsp.release();
        h.channel.writeInbound(login(0, 1, "CHAP_A", "1,2,3"));
        assertEquals(0x0201, failureAnsweredAfter(1000));
    }

    @Test
    void reflectedChallengeIsRefused() throws Exception {
        start(new AuthConfig(ALICE, TARGET_CREDS));
        Map<String, String> c = challenge("5");
        h.channel.writeInbound(login(0, 1, "CHAP_N", "alice", "CHAP_R", rightResponse(c),
                "CHAP_I", c.get("CHAP_I"), "CHAP_C", c.get("CHAP_C")));
        assertEquals(0x0201, failureAnsweredAfter(1000));
    }

    @Test
    void mutualChapWithoutTargetCredentialsIsRefused() throws Exception {
        start(AuthConfig.chap(ALICE));
        Map<String, String> c = challenge("5");
        h.channel.writeInbound(login(0, 1, "CHAP_N", "alice", "CHAP_R", rightResponse(c),
                "CHAP_I", "1", "CHAP_C", "0x0102030405060708"));
        assertEquals(0x0201, failureAnsweredAfter(1000));
    }

    @Test
    void authMethodNoneIsRefusedWhenChapIsRequired() {
        start(AuthConfig.chap(ALICE));
        assertEquals(0x0201, h.status(login(0, 1, "InitiatorName", INITIATOR, "TargetName", TARGET, "AuthMethod", "None")));
        assertFalse(h.channel.isOpen());
    }

    @Test
    void skippingTheSecurityStageIsRefusedWhenChapIsRequired() {
        start(AuthConfig.chap(ALICE));
        assertEquals(0x0201, h.status(login(1, 3, "InitiatorName", INITIATOR, "TargetName", TARGET)));
        assertFalse(h.channel.isOpen());
    }

    @Test
    void theSecurityStageDoesNotEndBeforeAuthentication() {
        start(AuthConfig.chap(ALICE));
        challenge("5");
        // CSG=1 while the target has not agreed to leave the security stage
        assertEquals(0x0200, h.status(login(1, 3, "MaxBurstLength", "65536")));
    }

    @Test
    void anInitiatorOutsideTheAllowListIsAuthorizationFailure() {
        start(context(AuthConfig.NONE, AuthConfig.NONE, List.of(InitiatorRule.named(INITIATOR)), throttle));
        assertEquals(0x0202, h.status(login(0, 1, "InitiatorName", OTHER_INITIATOR, "TargetName", TARGET,
                "AuthMethod", "None")));
        assertFalse(h.channel.isOpen());
    }

    @Test
    void anInitiatorOnTheAllowListLogsIn() {
        start(context(AuthConfig.NONE, AuthConfig.NONE, List.of(InitiatorRule.named(INITIATOR.toUpperCase())), throttle));
        h.keys(login(0, 1, "InitiatorName", INITIATOR, "TargetName", TARGET, "AuthMethod", "None"));
        finishOperational();
    }

    @Test
    void otherTargetsStayOpen() {
        start(context(AuthConfig.chap(ALICE), AuthConfig.NONE, List.of(InitiatorRule.named(INITIATOR)), throttle));
        h.keys(login(0, 1, "InitiatorName", OTHER_INITIATOR, "TargetName", TARGET + "-1", "AuthMethod", "CHAP,None"));
        finishOperational();
    }

    @Test
    void discoveryAuthenticationIsConfiguredSeparately() throws Exception {
        ServerContext context = context(AuthConfig.NONE, AuthConfig.chap(ALICE), List.of(), throttle);
        start(context);
        assertEquals(0x0201, h.status(login(0, 1, "InitiatorName", INITIATOR, "SessionType", "Discovery",
                "AuthMethod", "None")));
        h.channel.finishAndReleaseAll();
        start(context);
        Pdu rsp = h.exchange(login(0, 1, "InitiatorName", INITIATOR, "SessionType", "Discovery", "AuthMethod", "CHAP"));
        rsp.release();
        Map<String, String> c = h.keys(login(0, 1, "CHAP_A", "5"));
        h.keys(login(0, 1, "CHAP_N", "alice", "CHAP_R", rightResponse(c)));
        finishOperational();
        assertTrue(h.successor.discovery);
        h.successor.received.forEach(o -> ((Pdu) o).release());
        h.channel.finishAndReleaseAll();
        start(context); // the normal target is open
        h.keys(login(0, 1, "InitiatorName", INITIATOR, "TargetName", TARGET, "AuthMethod", "None"));
        finishOperational();
    }
}
