package org.vaaitarget.server.session;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.server.pdu.Pdu;
import org.vaaitarget.server.pdu.RejectReason;
import org.vaaitarget.server.pdu.TargetPdus;

/**
 * The connection engine of Full Feature Phase, the same for discovery and normal sessions: the connection's
 * {@link ConnectionState}, its StatSN and command window (the one owner of StatSN/ExpCmdSN/MaxCmdSN, stamped
 * on every PDU it writes), and the one way out to the wire. A discovery session is this engine with a
 * restricted set of requests (its handler routes only Text, NOP-Out and Logout); a normal session adds its
 * tasks ({@code task.FfpConnection}). Event loop only.
 */
public class Connection {
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);

    /** How a PDU uses StatSN (RFC 7143 3.2.2.2). */
    public enum StatSn {
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

    public final ChannelHandlerContext ctx;
    /** The thread that made this connection: its event loop's (see {@link #onLoopNow}). */
    private final Thread createdOn;
    public final CmdSnWindow window;
    /** What log lines name the connection by (the nexus of a normal session, the channel of a discovery one). */
    private final Object label;
    private int statSn;
    private ConnectionState state = ConnectionState.FULL_FEATURE;

    /**
     * @param nextStatSn      the StatSN of the first status-bearing PDU
     * @param initialExpCmdSn the session's first ExpCmdSN (login's)
     * @param queueDepth      the commands the window admits: the queue depth we offer (at least 1 is admitted)
     * @param label           what log lines name the connection by
     */
    public Connection(ChannelHandlerContext ctx, int nextStatSn, int initialExpCmdSn, int queueDepth, Object label) {
        this.ctx = ctx;
        this.createdOn = Thread.currentThread();
        this.statSn = nextStatSn;
        this.window = new CmdSnWindow(initialExpCmdSn, Math.max(1, queueDepth));
        this.label = label;
    }

    public int statSn() {
        return statSn;
    }

    public ConnectionState state() {
        return state;
    }

    /** Moves to {@code next}; an illegal transition ({@link ConnectionState}) throws. */
    public void moveTo(ConnectionState next) {
        state = state.check(next);
    }

    public boolean closed() {
        return state == ConnectionState.CLOSED;
    }

    /**
     * Stamps StatSN/ExpCmdSN/MaxCmdSN and writes the PDU (without flushing). Ownership of the Pdu
     * moves to the pipeline; after close it is released here instead.
     */
    public void write(Pdu pdu, StatSn use) {
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
    public ChannelFuture writeRaw(Object wireMessage) {
        if (closed()) {
            ReferenceCountUtil.release(wireMessage);
            return ctx.newFailedFuture(new ClosedChannelException());
        }
        return ctx.write(wireMessage);
    }

    /** {@link #write} then flush. */
    public void send(Pdu pdu, StatSn use) {
        write(pdu, use);
        flush();
    }

    /** Sends a status-bearing PDU, then closes the connection once it is written. */
    public void sendThenClose(Pdu pdu) {
        if (closed()) {
            pdu.release();
            return;
        }
        stamp(pdu, StatSn.ADVANCE);
        ctx.writeAndFlush(pdu).addListener(ChannelFutureListener.CLOSE);
    }

    public void flush() {
        if (!closed()) {
            ctx.flush();
        }
    }

    /** Rejects a PDU (RFC 7143 11.17), echoing its BHS. The caller still releases the PDU. */
    public void reject(RejectReason reason, Pdu offending) {
        reject(reason, offending.bhs());
    }

    /** Rejects a PDU by its header (one whose data the decoder already discarded). */
    public void reject(RejectReason reason, byte[] offendingBhs) {
        LOG.debug("{}: Reject {} for {}", label, reason, Pdu.decoded(offendingBhs, null, null));
        send(TargetPdus.reject(reason, offendingBhs), StatSn.ADVANCE);
    }

    /**
     * Runs {@code action} on this connection's event loop (completions from core threads hop back
     * here). When the loop no longer accepts work, {@code onRejected} runs on the calling thread so
     * that buffers can still be released.
     */
    public void onLoop(Runnable action, Runnable onRejected) {
        try {
            ctx.channel().eventLoop().execute(action);
        } catch (RejectedExecutionException e) {
            onRejected.run();
        }
    }

    /**
     * As {@link #onLoop}, but runs {@code action} at once when the caller already is this connection's event
     * loop (a command the core answered on the loop: a READ from the page cache, a COMPARE AND WRITE that
     * miscompared there): the response goes out without a trip through the loop's task queue, and before
     * the loop reads the next PDU. Only for callers that expect {@code action} to run inside them.
     */
    public void onLoopNow(Runnable action, Runnable onRejected) {
        // Both checks: a connection is made by a handler on its event loop, whose thread never changes, and
        // an EmbeddedChannel's loop (tests) says "in the loop" to every thread.
        if (Thread.currentThread() == createdOn && ctx.channel().eventLoop().inEventLoop()) {
            action.run();
        } else {
            onLoop(action, onRejected);
        }
    }
}
