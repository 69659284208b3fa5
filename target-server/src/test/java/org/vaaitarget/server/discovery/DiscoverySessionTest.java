package org.vaaitarget.server.discovery;

import org.vaaitarget.server.net.StandardPhases;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vaaitarget.server.testing.Contexts.INITIATOR;
import static org.vaaitarget.server.testing.Contexts.TARGET;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vaaitarget.server.codec.RejectedFrame;
import org.vaaitarget.server.login.LoginHandler;
import org.vaaitarget.server.codec.FramingState;
import org.vaaitarget.server.pdu.Opcode;
import org.vaaitarget.server.pdu.Pdu;
import org.vaaitarget.server.pdu.RejectReason;
import org.vaaitarget.server.login.ServerContext;
import org.vaaitarget.server.testing.Contexts;
import org.vaaitarget.server.testing.Requests;

/** Login into a discovery session, then SendTargets, NOP, Logout, Rejects (RFC 7143 Appendix C). */
class DiscoverySessionTest {
    private static final int NO_TTT = 0xFFFFFFFF;
    private EmbeddedChannel channel;
    private int statSn;

    @AfterEach
    void noLeftovers() {
        assertFalse(channel.finish());
    }

    /** Logs into a discovery session with the given initiator MaxRecvDataSegmentLength. */
    private void discoveryLogin(ServerContext context, int initiatorMrdsl) {
        channel = new EmbeddedChannel(new LoginHandler(context, new FramingState(), StandardPhases.INSTANCE));
        channel.writeInbound(Requests.login(0, 3, true, false, 1, 5, 100, 0,
                Requests.text("InitiatorName", INITIATOR, "SessionType", "Discovery", "AuthMethod", "None",
                        "MaxRecvDataSegmentLength", Integer.toString(initiatorMrdsl))));
        Pdu rsp = channel.readOutbound();
        assertEquals(0, rsp.u16(36));
        assertEquals(100, rsp.u32(24));
        statSn = 101;
        rsp.release();
        assertNotNull(channel.pipeline().get(DiscoveryHandler.class));
    }

    private Pdu roundTrip(Pdu request) {
        channel.writeInbound(request);
        Pdu rsp = channel.readOutbound();
        assertNotNull(rsp);
        assertEquals(statSn++, rsp.u32(24), "StatSN");
        return rsp;
    }

    @Test
    void sendTargetsAllListsEveryTargetAndPortal() {
        discoveryLogin(Contexts.withTargets(2, new InetSocketAddress("127.0.0.1", 3260),
                new InetSocketAddress("::1", 3261)), 32768);
        Pdu rsp = roundTrip(Requests.textRequest(7, NO_TTT, 5, false, Requests.text("SendTargets", "All")));
        assertEquals(Opcode.TEXT_RESPONSE, rsp.opcode());
        assertEquals(0x80, rsp.flags(), "F=1, C=0");
        assertEquals(7, rsp.itt());
        assertEquals(NO_TTT, rsp.u32(20));
        assertEquals(6, rsp.u32(28), "ExpCmdSN advanced by the non-immediate Text Request");
        assertEquals("TargetName=" + TARGET + "\0TargetAddress=127.0.0.1:3260,1\0TargetAddress=[0:0:0:0:0:0:0:1]:3261,1\0"
                + "TargetName=" + TARGET + "-1\0TargetAddress=127.0.0.1:3260,1\0TargetAddress=[0:0:0:0:0:0:0:1]:3261,1\0",
                rsp.data().toString(StandardCharsets.UTF_8));
        rsp.release();
    }

    @Test
    void sendTargetsForOneNameAndForAnUnknownName() {
        discoveryLogin(Contexts.withTargets(3, new InetSocketAddress("127.0.0.1", 3260)), 32768);
        Pdu rsp = roundTrip(Requests.textRequest(7, NO_TTT, 5, false,
                Requests.text("SendTargets", TARGET + "-2")));
        assertEquals("TargetName=" + TARGET + "-2\0TargetAddress=127.0.0.1:3260,1\0",
                rsp.data().toString(StandardCharsets.UTF_8));
        rsp.release();
        rsp = roundTrip(Requests.textRequest(8, NO_TTT, 6, false, Requests.text("SendTargets", "iqn.x:none")));
        assertEquals(0, rsp.dataSegmentLength());
        rsp.release();
    }

    @Test
    void longSendTargetsAnswersAreContinuedWithTheTargetTransferTag() {
        int n = 1000;
        discoveryLogin(Contexts.withTargets(n, new InetSocketAddress("192.0.2.10", 3260)), 32768);
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < n; i++) {
            expected.append("TargetName=").append(i == 0 ? TARGET : TARGET + "-" + i).append('\0')
                    .append("TargetAddress=192.0.2.10:3260,1\0");
        }
        StringBuilder got = new StringBuilder();
        Pdu rsp = roundTrip(Requests.textRequest(7, NO_TTT, 5, false, Requests.text("SendTargets", "All")));
        int pieces = 1;
        int cmdSn = 6;
        while ((rsp.flags() & 0x40) != 0) {
            assertEquals(0x40, rsp.flags(), "C=1, F=0");
            assertEquals(32768, rsp.dataSegmentLength());
            int ttt = rsp.u32(20);
            assertNotEquals(NO_TTT, ttt);
            got.append(rsp.data().toString(StandardCharsets.UTF_8));
            rsp.release();
            rsp = roundTrip(Requests.textRequest(7, ttt, cmdSn++, false, new byte[0]));
            pieces++;
        }
        assertEquals(0x80, rsp.flags());
        assertEquals(NO_TTT, rsp.u32(20));
        got.append(rsp.data().toString(StandardCharsets.UTF_8));
        rsp.release();
        assertEquals(expected.toString(), got.toString());
        assertEquals((expected.length() + 32767) / 32768, pieces);
    }

    @Test
    void continuedTextRequestIsCollected() {
        discoveryLogin(Contexts.oneTarget(new InetSocketAddress("127.0.0.1", 3260)), 32768);
        byte[] all = Requests.text("SendTargets", "All");
        Pdu first = roundTrip(Requests.textRequest(7, NO_TTT, 5, true, java.util.Arrays.copyOf(all, 6)));
        assertEquals(0, first.dataSegmentLength());
        int ttt = first.u32(20);
        assertNotEquals(NO_TTT, ttt);
        first.release();
        Pdu rsp = roundTrip(Requests.textRequest(7, ttt, 6, false, java.util.Arrays.copyOfRange(all, 6, all.length)));
        assertTrue(rsp.data().toString(StandardCharsets.UTF_8).startsWith("TargetName=" + TARGET));
        rsp.release();
    }

    @Test
    void otherTextKeysAreNotUnderstoodOrRejected() {
        discoveryLogin(Contexts.oneTarget(new InetSocketAddress("127.0.0.1", 3260)), 32768);
        Pdu rsp = roundTrip(Requests.textRequest(7, NO_TTT, 5, false,
                Requests.text("X-foo", "1", "MaxBurstLength", "4096")));
        Map<String, String> kv = Requests.pairs(rsp);
        assertEquals("NotUnderstood", kv.get("X-foo"));
        assertEquals("Reject", kv.get("MaxBurstLength"));
        rsp.release();
    }

    @Test
    void unknownTargetTransferTagIsRejected() {
        discoveryLogin(Contexts.oneTarget(new InetSocketAddress("127.0.0.1", 3260)), 32768);
        Pdu rsp = roundTrip(Requests.textRequest(7, 0x1234, 5, false, new byte[0]));
        assertEquals(Opcode.REJECT, rsp.opcode());
        assertEquals(RejectReason.INVALID_PDU_FIELD.code(), rsp.u8(2));
        rsp.release();
    }

    @Test
    void nopOutIsAnsweredWithItsPingData() {
        discoveryLogin(Contexts.oneTarget(), 32768);
        Pdu rsp = roundTrip(Requests.nopOut(9, 5, new byte[] {1, 2, 3}));
        assertEquals(Opcode.NOP_IN, rsp.opcode());
        assertEquals(9, rsp.itt());
        assertEquals(NO_TTT, rsp.u32(20));
        assertArrayEquals(new byte[] {1, 2, 3}, ByteBufUtil.getBytes(rsp.data()));
        assertEquals(5, rsp.u32(28), "an immediate NOP-Out does not advance ExpCmdSN");
        rsp.release();
    }

    @Test
    void scsiCommandIsRejectedWithTheOffendingHeader() {
        discoveryLogin(Contexts.oneTarget(), 32768);
        Pdu cmd = Pdu.create(Opcode.SCSI_COMMAND).setItt(0x42).setU32(24, 5);
        byte[] bhs = cmd.bhsCopy();
        Pdu rsp = roundTrip(cmd);
        assertEquals(Opcode.REJECT, rsp.opcode());
        assertEquals(RejectReason.COMMAND_NOT_SUPPORTED.code(), rsp.u8(2));
        assertEquals(NO_TTT, rsp.itt());
        assertArrayEquals(bhs, ByteBufUtil.getBytes(rsp.data()));
        rsp.release();
    }

    @Test
    void framesTheDecoderRejectedAreAnsweredWithReject() {
        discoveryLogin(Contexts.oneTarget(), 32768);
        byte[] bhs = Requests.nopOut(3, 5, new byte[0]).bhsCopy();
        channel.writeInbound(new RejectedFrame(bhs, RejectReason.DATA_DIGEST_ERROR));
        Pdu rsp = channel.readOutbound();
        assertEquals(RejectReason.DATA_DIGEST_ERROR.code(), rsp.u8(2));
        assertEquals(statSn, rsp.u32(24));
        rsp.release();
    }

    @Test
    void logoutIsAnsweredAndCloses() {
        discoveryLogin(Contexts.oneTarget(), 32768);
        Pdu rsp = roundTrip(Requests.logout(11, 5, 0));
        assertEquals(Opcode.LOGOUT_RESPONSE, rsp.opcode());
        assertEquals(0, rsp.u8(2));
        assertEquals(11, rsp.itt());
        rsp.release();
        assertFalse(channel.isOpen());
    }

    /** Requests are answered as they come, none held for its CmdSN turn; only ExpCmdSN's own CmdSN advances it. */
    @Test
    void aRequestWithAnotherCmdSnIsAnsweredAndExpCmdSnStays() {
        discoveryLogin(Contexts.oneTarget(), 32768);
        Pdu rsp = roundTrip(Requests.textRequest(7, NO_TTT, 9, false, Requests.text("SendTargets", "All")));
        assertEquals(Opcode.TEXT_RESPONSE, rsp.opcode());
        assertEquals(5, rsp.u32(28), "ExpCmdSN");
        assertEquals(5 + 128 - 1, rsp.u32(32), "MaxCmdSN: ExpCmdSN + queue depth - 1");
        rsp.release();
        rsp = roundTrip(Requests.textRequest(8, NO_TTT, 5, false, Requests.text("SendTargets", "All")));
        assertEquals(6, rsp.u32(28), "ExpCmdSN");
        rsp.release();
    }

    @Test
    void logoutForRecoveryIsRefusedAtErl0() {
        discoveryLogin(Contexts.oneTarget(), 32768);
        Pdu rsp = roundTrip(Requests.logout(11, 5, 2));
        assertEquals(2, rsp.u8(2));
        rsp.release();
        assertTrue(channel.isOpen());
    }

    @Test
    void wildcardPortalIsAdvertisedAsTheLocalAddress() throws Exception {
        ServerContext c = Contexts.oneTarget(new InetSocketAddress("0.0.0.0", 3260), new InetSocketAddress("::", 3262));
        SendTargetsResponder r = new SendTargetsResponder(c);
        List<Map.Entry<String, String>> kv = r.respond("All", null,
                new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 3260));
        assertEquals(List.of(Map.entry("TargetName", TARGET), Map.entry("TargetAddress", "10.1.2.3:3260,1"),
                Map.entry("TargetAddress", "10.1.2.3:3262,1")), kv);
        kv = r.respond("All", null, new InetSocketAddress(InetAddress.getByName("fe80::1%1"), 3260));
        assertEquals("[fe80:0:0:0:0:0:0:1]:3260,1", kv.get(1).getValue());
        channel = new EmbeddedChannel();
    }

    @Test
    void normalSessionSendTargetsRules() {
        ServerContext c = Contexts.withTargets(2, new InetSocketAddress("127.0.0.1", 3260));
        SendTargetsResponder r = new SendTargetsResponder(c);
        var own = c.targets().get(TARGET);
        assertEquals(List.of(Map.entry("SendTargets", "Reject")), r.respond("All", own, null));
        assertEquals(TARGET, r.respond("", own, null).get(0).getValue());
        assertNull(r.respond("", null, null).stream().findFirst().orElse(null));
        channel = new EmbeddedChannel();
    }
}
