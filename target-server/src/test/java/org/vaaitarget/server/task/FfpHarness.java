package org.vaaitarget.server.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.vaaitarget.server.login.AccessControl;
import org.vaaitarget.server.session.AbortFinishedTask;
import org.vaaitarget.server.pdu.Opcode;
import org.vaaitarget.server.pdu.Pdu;
import org.vaaitarget.server.session.NegotiatedParameters;
import org.vaaitarget.server.session.ResourceLimits;
import org.vaaitarget.server.login.ServerContext;
import org.vaaitarget.server.session.ServerTarget;
import org.vaaitarget.server.session.Session;
import org.vaaitarget.server.session.SessionRegistry;
import org.vaaitarget.server.session.SessionType;
import org.vaaitarget.server.session.TargetOffer;
import org.vaaitarget.server.session.ZeroCopyReads;

/** An EmbeddedChannel with a FullFeatureHandler alone, a fake core and PDU builders for the initiator side. */
final class FfpHarness implements AutoCloseable {
    static final String TARGET = "iqn.2024-01.org.vaaitarget:t1";
    static final int FIRST_CMD_SN = 100;
    static final int FIRST_STAT_SN = 7;
    static final long LUN0 = 0;

    final FakeRouter router = new FakeRouter();
    final EmbeddedChannel channel = new EmbeddedChannel();
    final SessionRegistry registry = new SessionRegistry();
    final Session session;
    final NegotiatedParameters params;
    final ServerContext context;
    int cmdSn = FIRST_CMD_SN;

    FfpHarness(NegotiatedParameters params) {
        this(params, new TargetOffer(262144, 16776192, 262144, 8, 128, 0, 30), FullFeatureOptions.defaults());
    }

    FfpHarness(NegotiatedParameters params, TargetOffer offer, FullFeatureOptions options) {
        this(params, offer, options, ResourceLimits.defaults());
    }

    FfpHarness(NegotiatedParameters params, ResourceLimits limits) {
        this(params, new TargetOffer(262144, 16776192, 262144, 8, 128, 0, 30), FullFeatureOptions.defaults(), limits);
    }

    FfpHarness(NegotiatedParameters params, TargetOffer offer, FullFeatureOptions options, ResourceLimits limits) {
        this(params, offer, options, limits, AbortFinishedTask.AUTO, "iqn.1994-05.com.example:init");
    }

    /**
     * A session of {@code initiator} on a target configured with {@code abortFinishedTask}; null
     * {@code options} lets the handler derive them from the target (its production constructor).
     */
    FfpHarness(NegotiatedParameters params, TargetOffer offer, FullFeatureOptions options, ResourceLimits limits,
               AbortFinishedTask abortFinishedTask, String initiator) {
        this.params = params;
        ServerTarget target = new ServerTarget(TARGET, null, 1, router, abortFinishedTask);
        ServerContext ctx = new ServerContext(Map.of(TARGET, target),
                List.of(new InetSocketAddress("127.0.0.1", 3260)), offer, registry, AccessControl.open(), limits,
                ZeroCopyReads.ALWAYS); // commands say they accept Data-In from a file (FileDataInTest)
        this.context = ctx;
        session = new Session(initiator, null, "00023d000001", 1, SessionType.NORMAL, target,
                params, 0, FIRST_CMD_SN, channel);
        registry.register(session);
        channel.pipeline().addLast(options == null ? new FullFeatureHandler(ctx, session, FIRST_STAT_SN)
                : new FullFeatureHandler(ctx, session, FIRST_STAT_SN, options));
    }

    static NegotiatedParameters params(int maxXmit, int maxBurst, int firstBurst, boolean initialR2T,
                                       boolean immediateData, int maxOutstandingR2T) {
        return new NegotiatedParameters(false, false, 262144, maxXmit, maxBurst, firstBurst, initialR2T, immediateData,
                maxOutstandingR2T, true, true, 0, 1, 2, 20);
    }

    static NegotiatedParameters defaults() {
        return params(8192, 262144, 65536, true, true, 1);
    }

    // ---------------------------------------------------------------- initiator PDUs

    static Pdu scsiCommand(int itt, int cmdSn, int flags, int edtl, byte[] cdb, ByteBuf immediateData) {
        Pdu p = Pdu.create(Opcode.SCSI_COMMAND);
        p.setFlags(flags);
        p.setLun(LUN0);
        p.setItt(itt);
        p.setU32(20, edtl);
        p.setU32(24, cmdSn);
        p.setU32(28, FIRST_STAT_SN);
        for (int i = 0; i < cdb.length && i < 16; i++) {
            p.setU8(32 + i, cdb[i]);
        }
        p.setData(immediateData);
        return Pdu.decoded(p.bhsCopy(), null, p.takeData());
    }

    static Pdu read(int itt, int cmdSn, int edtl) {
        return scsiCommand(itt, cmdSn, 0x80 | 0x40 | 0x01, edtl, new byte[] {0x28, 0, 0, 0, 0, 0, 0, 0, 8, 0}, null);
    }

    static Pdu dataOut(int itt, int ttt, int dataSn, int offset, boolean last, ByteBuf data) {
        Pdu p = Pdu.create(Opcode.DATA_OUT);
        p.setFlags(last ? 0x80 : 0);
        p.setLun(LUN0);
        p.setItt(itt);
        p.setU32(20, ttt);
        p.setU32(28, FIRST_STAT_SN);
        p.setU32(36, dataSn);
        p.setU32(40, offset);
        p.setData(data);
        return p;
    }

    static Pdu nopOut(int itt, int ttt, int cmdSn, boolean immediate, ByteBuf data) {
        Pdu p = Pdu.create(Opcode.NOP_OUT);
        p.setImmediate(immediate);
        p.setFlags(0x80);
        p.setItt(itt);
        p.setU32(20, ttt);
        p.setU32(24, cmdSn);
        p.setData(data);
        return p;
    }

    static Pdu tmf(int itt, int function, int refItt, int cmdSn, int refCmdSn) {
        Pdu p = Pdu.create(Opcode.TASK_MGMT_REQUEST);
        p.setImmediate(true);
        p.setFlags(0x80 | function);
        p.setLun(LUN0);
        p.setItt(itt);
        p.setU32(20, refItt);
        p.setU32(24, cmdSn);
        p.setU32(32, refCmdSn);
        return p;
    }

    static Pdu logout(int itt, int reason, int cmdSn) {
        Pdu p = Pdu.create(Opcode.LOGOUT_REQUEST);
        p.setImmediate(true);
        p.setFlags(0x80 | reason);
        p.setItt(itt);
        p.setU32(24, cmdSn);
        return p;
    }

    static ByteBuf pattern(int offset, int length) {
        ByteBuf b = Unpooled.buffer(length);
        for (int i = 0; i < length; i++) {
            b.writeByte(expectedByte(offset + i));
        }
        return b;
    }

    static byte expectedByte(int position) {
        return (byte) (position * 31 + (position >>> 8));
    }

    // ---------------------------------------------------------------- driving and reading

    void send(Pdu pdu) {
        channel.writeInbound(pdu);
        channel.runPendingTasks();
    }

    /** Runs completions that hopped back to the event loop. */
    void run() {
        channel.runPendingTasks();
    }

    /** The next PDU the target wrote; the caller releases it. */
    Pdu next() {
        Pdu p = channel.readOutbound();
        assertNotNull(p, "expected a PDU from the target");
        return p;
    }

    Pdu next(Opcode expected) {
        Pdu p = next();
        assertEquals(expected, p.opcode(), () -> "got " + p);
        return p;
    }

    /** Every PDU written so far, released. */
    List<Pdu> drain() {
        List<Pdu> all = new ArrayList<>();
        Pdu p;
        while ((p = channel.readOutbound()) != null) {
            all.add(p);
            p.release();
        }
        return all;
    }

    @Override
    public void close() {
        drain();
        channel.finishAndReleaseAll();
    }
}
