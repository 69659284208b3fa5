package org.vaaitarget.server.task;

import org.vaaitarget.server.pdu.TargetPdus;
import org.vaaitarget.server.pdu.Bhs;
import org.vaaitarget.server.pdu.RejectReason;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.core.scsi.ItNexus;
import org.vaaitarget.core.scsi.ScsiTaskRouter;
import org.vaaitarget.server.pdu.Pdu;
import org.vaaitarget.server.session.CmdSnWindow;
import org.vaaitarget.server.session.NegotiatedParameters;
import org.vaaitarget.server.login.ServerContext;
import org.vaaitarget.server.session.Session;

/**
 * The per-connection protocol state shared by the Full Feature Phase parts: the session, the
 * command window, StatSN, target transfer tags, and the one way out to the wire. Event loop only.
 */
final class FfpConnection {
    private static final Logger LOG = LoggerFactory.getLogger(FfpConnection.class);

    /** How a PDU uses StatSN (RFC 7143 3.2.2.2). */
    enum StatSn {
        /** A status-bearing PDU: carries StatSN, which then advances. */
        ADVANCE,
        /** Carries the next StatSN without advancing it (R2T, NOP-In ping). */
        CURRENT,
        /**
         * StatSN left 0: Data-In without the S bit, where the field is only valid with S set (RFC 7143
         * 11.7.4). jSCSI rejects a non-zero value there.
         */
        NONE
    }

    final ChannelHandlerContext ctx;
    final ServerContext server;
    final Session session;
    final NegotiatedParameters params;
    final FullFeatureOptions options;
    final CmdSnWindow window;
    final ItNexus nexus;
    /** Large reads of this connection may be sent straight from the LUN file (no data digests, setting allows). */
    final boolean fileDataIn;
    private int statSn;
    private int expStatSn;
    private int nextTtt = 1;
    private ConnectionState state = ConnectionState.FULL_FEATURE;

    FfpConnection(ChannelHandlerContext ctx, ServerContext server, Session session, int nextStatSn,
                  FullFeatureOptions options) {
        this.ctx = ctx;
        this.server = server;
        this.session = session;
        this.params = session.params();
        this.options = options;
        this.window = new CmdSnWindow(session.initialExpCmdSn(), Math.max(1, server.offer().queueDepth()));
        this.nexus = session.nexus();
        this.fileDataIn = !params.dataDigest() && server.zeroCopyReads().appliesTo(ctx.channel().remoteAddress());
        this.statSn = nextStatSn;
    }

    ScsiTaskRouter device() {
        return session.target().device();
    }

    /** A fresh Target Transfer Tag (never the reserved 0xFFFFFFFF). */
    int newTtt() {
        int t = nextTtt++;
        if (t == Bhs.RESERVED_TAG) {
            t = nextTtt++;
        }
        return t;
    }

    /**
     * Records the initiator's ExpStatSN (RFC 7143 3.2.2.2). At ERL 0 the target keeps no status for
     * retransmission, so the acknowledgement frees nothing; a value ahead of our StatSN is logged.
     */
    void acknowledge(int initiatorExpStatSn) {
        if (initiatorExpStatSn - statSn > 0) {
            LOG.debug("{}: ExpStatSN {} is ahead of StatSN {}", nexus, initiatorExpStatSn, statSn);
        }
        expStatSn = initiatorExpStatSn;
    }

    int expStatSn() {
        return expStatSn;
    }

    int statSn() {
        return statSn;
    }

    ConnectionState state() {
        return state;
    }

    /** Moves to {@code next}; an illegal transition ({@link ConnectionState}) throws. */
    void moveTo(ConnectionState next) {
        state = state.check(next);
    }

    boolean closed() {
        return state == ConnectionState.CLOSED;
    }

    /**
     * Stamps StatSN/ExpCmdSN/MaxCmdSN and writes the PDU (without flushing). Ownership of the Pdu
     * moves to the pipeline; after close it is released here instead.
     */
    void write(Pdu pdu, StatSn use) {
        if (closed()) {
            pdu.release();
            return;
        }
        stamp(pdu, use);
        ctx.write(pdu, ctx.voidPromise());
    }

    private void stamp(Pdu pdu, StatSn use) {
        if (use == StatSn.NONE) {
            TargetPdus.stampWindow(pdu, window.expCmdSn(), window.maxCmdSn());
        } else {
            TargetPdus.stamp(pdu, use == StatSn.ADVANCE ? statSn++ : statSn, window.expCmdSn(), window.maxCmdSn());
        }
    }

    /**
     * Writes a message that is already in wire form (a file region, padding) right after the PDUs
     * written before it, without flushing. Ownership moves to the pipeline; after close it is released
     * here and the returned future has failed.
     */
    ChannelFuture writeRaw(Object wireMessage) {
        if (closed()) {
            ReferenceCountUtil.release(wireMessage);
            return ctx.newFailedFuture(new ClosedChannelException());
        }
        return ctx.write(wireMessage);
    }

    /** {@link #write} then flush. */
    void send(Pdu pdu, StatSn use) {
        write(pdu, use);
        flush();
    }

    /** Sends a status-bearing PDU, then closes the connection once it is written. */
    void sendThenClose(Pdu pdu) {
        if (closed()) {
            pdu.release();
            return;
        }
        stamp(pdu, StatSn.ADVANCE);
        ctx.writeAndFlush(pdu).addListener(ChannelFutureListener.CLOSE);
    }

    void flush() {
        if (!closed()) {
            ctx.flush();
        }
    }

    /** Rejects a PDU (RFC 7143 11.17), echoing its BHS. The caller still releases the PDU. */
    void reject(RejectReason reason, Pdu offending) {
        LOG.debug("{}: Reject {} for {}", nexus, reason, offending);
        send(TargetPdus.reject(reason, offending.bhs()), StatSn.ADVANCE);
    }

    /**
     * Runs {@code action} on this connection's event loop (completions from core threads hop back
     * here). When the loop no longer accepts work, {@code onRejected} runs on the calling thread so
     * that buffers can still be released.
     */
    void onLoop(Runnable action, Runnable onRejected) {
        try {
            ctx.channel().eventLoop().execute(action);
        } catch (RejectedExecutionException e) {
            onRejected.run();
        }
    }
}
