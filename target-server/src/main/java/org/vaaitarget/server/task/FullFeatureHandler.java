package org.vaaitarget.server.task;

import org.vaaitarget.server.session.ConnectionState;
import org.vaaitarget.server.discovery.TextExchange;
import org.vaaitarget.server.discovery.SendTargetsResponder;
import org.vaaitarget.server.pdu.TargetPdus;
import org.vaaitarget.server.pdu.InitiatorPdus;
import org.vaaitarget.server.pdu.Bhs;
import org.vaaitarget.server.pdu.RejectReason;

import org.vaaitarget.server.codec.RejectedFrame;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.server.session.ShutdownNotice;
import org.vaaitarget.server.pdu.Opcode;
import org.vaaitarget.server.pdu.Pdu;
import org.vaaitarget.server.session.AbortFinishedTask;
import org.vaaitarget.server.session.CmdSnWindow;
import org.vaaitarget.server.login.ServerContext;
import org.vaaitarget.server.session.Session;
import org.vaaitarget.server.session.SessionLog;
import org.vaaitarget.server.session.SessionEnd;
import org.vaaitarget.core.scsi.PendingTasks;
import org.vaaitarget.server.session.Connection.StatSn;

/**
 * Full Feature Phase of a normal session (RFC 7143, ErrorRecoveryLevel 0, one connection per
 * session): receives decoded {@link Pdu}s after login and writes response Pdus. Installed by login in
 * place of the login handler. All protocol state lives on the channel's event loop.
 *
 * <p>Routing: SCSI Command and Data-Out go to {@link ScsiCommandFlow}; NOP-Out, Task Management,
 * Text and Logout requests that are not immediate first pass the CmdSN window
 * ({@link CmdSnWindow}); SNACK is Rejected (ERL 0), undefined opcodes too.
 *
 * <p>Back-pressure: while the channel is not writable, reading stops (auto-read off), so a slow
 * reader cannot make us queue unbounded Data-In.
 */
public final class FullFeatureHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(FullFeatureHandler.class);

    private final ServerContext context;
    private final Session session;
    private final int firstStatSn;
    private final FullFeatureOptions options;

    private FfpConnection conn;
    private ScsiCommandFlow flow;
    private TaskManagement taskManagement;
    private TextExchange text;
    private boolean readSinceCheck;
    private int pingTtt = Bhs.RESERVED_TAG;
    private ScheduledFuture<?> idleCheck;
    private ScheduledFuture<?> pingTimeout;
    private ScheduledFuture<?> graceTimer;
    private ScheduledFuture<?> dataOutCheck;
    /** The ITT of the Logout Request held in {@link ConnectionState#LOGOUT_PENDING}. */
    private int pendingLogoutItt;
    /**
     * Whether the shutdown notice (Async Message) went out: history for the end-of-session record and to send
     * it once, not a state (a Logout Request may follow it, or come before it).
     */
    private boolean shutdownNoticeSent;
    /** For the end-of-session line: when Full Feature Phase began, SCSI commands received since. */
    private long startNanos;
    private long commands;
    private PendingTasks pendingTasks;

    /** Starts with the StatSN login left off at ({@link Session#initialStatSn()}). */
    public FullFeatureHandler(ServerContext context, Session session) {
        this(context, session, session.initialStatSn());
    }

    /**
     * @param nextStatSn the StatSN for the first status-bearing PDU: one more than the StatSN of the
     *                   final Login Response
     */
    public FullFeatureHandler(ServerContext context, Session session, int nextStatSn) {
        this(context, session, nextStatSn, FullFeatureOptions.forInitiator(
                session.target() == null ? AbortFinishedTask.AUTO : session.target().abortFinishedTask(),
                session.initiatorName()));
    }

    public FullFeatureHandler(ServerContext context, Session session, int nextStatSn, FullFeatureOptions options) {
        this.context = Objects.requireNonNull(context, "context");
        this.session = Objects.requireNonNull(session, "session");
        this.firstStatSn = nextStatSn;
        this.options = Objects.requireNonNull(options, "options");
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        conn = new FfpConnection(ctx, context, session, firstStatSn, options);
        flow = new ScsiCommandFlow(conn, this::onTaskEnded);
        taskManagement = new TaskManagement(conn, flow);
        SendTargetsResponder sendTargets = new SendTargetsResponder(context);
        text = new TextExchange(TextExchange.fullFeatureKeys(
                value -> sendTargets.respondFor(value, session, ctx.channel().localAddress())),
                session.params().maxXmitDataSegmentLength(), conn::newTtt);
        startNanos = System.nanoTime();
        // Task management of other nexuses reaches the tasks still collecting Data-Out here (SAM-5 5.6).
        pendingTasks = (lunNumber, taskAbortedStatus) -> {
            CompletableFuture<Void> done = new CompletableFuture<>();
            conn.onLoop(() -> {
                if (!conn.closed()) {
                    flow.abortPending(lunNumber, taskAbortedStatus);
                }
                done.complete(null);
            }, () -> done.complete(null));
            return done;
        };
        conn.device().attach(conn.nexus, pendingTasks);
        int interval = context.offer().nopInIntervalSeconds();
        if (interval > 0) {
            idleCheck = ctx.executor().scheduleAtFixedRate(this::checkIdle, interval, interval, TimeUnit.SECONDS);
        }
        long dataOutTimeout = context.limits().dataOutTimeout().toMillis();
        long period = Math.max(50, Math.min(1000, dataOutTimeout / 4));
        dataOutCheck = ctx.executor().scheduleAtFixedRate(this::checkDataOut, period, period, TimeUnit.MILLISECONDS);
        if (!ctx.channel().isActive() && ctx.channel().isRegistered()) {
            cleanUp();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof RejectedFrame rejected) {
            // The decoder already discarded the data (data digest error, segment over our MRDSL).
            if (!conn.closed()) {
                conn.reject(rejected.reason(), rejected.bhs());
            }
            return;
        }
        if (!(msg instanceof Pdu pdu)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (conn.closed()) {
            pdu.release();
            return;
        }
        readSinceCheck = true;
        Opcode op = pdu.opcode();
        if (op == null) {
            rejectAndRelease(RejectReason.COMMAND_NOT_SUPPORTED, pdu);
            return;
        }
        switch (op) {
            case SCSI_COMMAND -> {
                commands++;
                flow.onCommand(pdu);
            }
            case DATA_OUT -> flow.onDataOut(pdu);
            case NOP_OUT -> onNopOut(pdu);
            case TASK_MGMT_REQUEST -> sequenced(pdu, taskManagement::onRequest);
            case TEXT_REQUEST -> sequenced(pdu, this::onText);
            case LOGOUT_REQUEST -> sequenced(pdu, this::onLogout);
            // RFC 7143 11.16: SNACK needs ErrorRecoveryLevel > 0; at ERL 0 it is a protocol error.
            case SNACK_REQUEST -> rejectAndRelease(RejectReason.PROTOCOL_ERROR, pdu);
            // A Login Request after login is a protocol error; target opcodes never come from an initiator.
            case LOGIN_REQUEST -> rejectAndRelease(RejectReason.PROTOCOL_ERROR, pdu);
            default -> rejectAndRelease(RejectReason.COMMAND_NOT_SUPPORTED, pdu);
        }
    }

    /** Non-SCSI requests: immediate ones run at once, the others in CmdSN order. Ownership moves in. */
    private void sequenced(Pdu pdu, Consumer<Pdu> action) {
        if (pdu.immediate()) {
            action.accept(pdu);
            return;
        }
        int cmdSn = new InitiatorPdus.AnyRequest(pdu).cmdSn();
        CmdSnWindow.Admission a = conn.window.offer(cmdSn, new CmdSnWindow.Held() {
            @Override
            public void deliver() {
                action.accept(pdu);
            }

            @Override
            public void discard() {
                pdu.release();
            }
        });
        if (a == CmdSnWindow.Admission.IGNORED) {
            LOG.debug("{}: {} with CmdSN {} outside the window ignored", conn.nexus, pdu, cmdSn);
            pdu.release();
        }
    }

    private void rejectAndRelease(RejectReason reason, Pdu pdu) {
        conn.reject(reason, pdu);
        pdu.release();
    }

    // ---------------------------------------------------------------- Text

    /** A Text Request in CmdSN order (RFC 7143 11.10): SendTargets for this session's target. */
    private void onText(Pdu pdu) {
        try {
            conn.acknowledge(new InitiatorPdus.TextRequest(pdu).expStatSn());
            TextExchange.Outcome o = text.onRequest(pdu);
            if (o.reject() != null) {
                conn.reject(o.reject(), pdu);
            } else {
                conn.send(o.response(), StatSn.ADVANCE);
            }
        } finally {
            pdu.release();
        }
    }

    // ---------------------------------------------------------------- NOP

    private void onNopOut(Pdu pdu) {
        InitiatorPdus.NopOut nop = new InitiatorPdus.NopOut(pdu);
        conn.acknowledge(nop.expStatSn());
        if (nop.wantsNoAnswer()) {
            // An answer to our ping (RFC 7143 11.18: ITT 0xFFFFFFFF, TTT copied from the NOP-In).
            int ttt = nop.ttt();
            if (ttt != Bhs.RESERVED_TAG && ttt == pingTtt) {
                pingTtt = Bhs.RESERVED_TAG;
                cancel(pingTimeout);
            }
            pdu.release();
            return;
        }
        sequenced(pdu, this::answerNop);
    }

    private void answerNop(Pdu pdu) {
        ByteBuf data = pdu.takeData();
        pdu.release();
        int max = Math.max(0, conn.params.maxXmitDataSegmentLength());
        if (data.readableBytes() > max) {
            data.writerIndex(data.readerIndex() + max);     // the echo never exceeds what the initiator takes
        }
        conn.send(TargetPdus.nopIn(pdu.lun(), pdu.itt(), Bhs.RESERVED_TAG, data), StatSn.ADVANCE);
    }

    /** Every NopInInterval: ping the initiator if nothing arrived since the last check. */
    private void checkIdle() {
        if (conn.closed() || pingTtt != Bhs.RESERVED_TAG) {
            return;
        }
        if (readSinceCheck) {
            readSinceCheck = false;
            return;
        }
        pingTtt = conn.newTtt();
        // RFC 7143 11.19: ITT 0xFFFFFFFF, a TTT to be echoed, StatSN not advanced.
        conn.send(TargetPdus.nopIn(0, Bhs.RESERVED_TAG, pingTtt, null), StatSn.CURRENT);
        int timeout = Math.max(1, context.offer().nopInTimeoutSeconds());
        pingTimeout = conn.ctx.executor().schedule(() -> {
            if (pingTtt != Bhs.RESERVED_TAG) {
                SessionEnd.note(conn.ctx.channel(), SessionEnd.TIMEOUT, "no NOP-Out answer within " + timeout + " s");
                conn.ctx.close();
            }
        }, timeout, TimeUnit.SECONDS);
    }

    /**
     * limits.dataOutTimeout: a task that announced data and sends none of it (R2T outstanding, or
     * unsolicited data missing) would hold its buffers and reservation forever. At ERL 0 the target
     * has no sequence-level recovery (no R2T retransmission), so it drops the connection and the
     * initiator recovers the session.
     */
    private void checkDataOut() {
        if (conn.closed()) {
            return;
        }
        IscsiTask stalled = flow.stalledTask(System.nanoTime(), context.limits().dataOutTimeout().toNanos());
        if (stalled != null) {
            SessionEnd.note(conn.ctx.channel(), SessionEnd.TIMEOUT, "no Data-Out for " + stalled + " within "
                    + context.limits().dataOutTimeout().toSeconds() + " s");
            conn.ctx.close();
        }
    }

    // ---------------------------------------------------------------- Logout and shutdown

    private void onLogout(Pdu pdu) {
        InitiatorPdus.LogoutRequest logout = new InitiatorPdus.LogoutRequest(pdu);
        conn.acknowledge(logout.expStatSn());
        int reason = logout.reason();
        int cid = logout.cid();
        if (reason != InitiatorPdus.LogoutRequest.CLOSE_SESSION && reason != InitiatorPdus.LogoutRequest.CLOSE_CONNECTION) {
            // Reason 2 (remove the connection for recovery) needs ERL 2: RFC 7143 11.15.1 code 2.
            conn.send(TargetPdus.logoutResponse(pdu.itt(), TargetPdus.LOGOUT_RECOVERY_NOT_SUPPORTED, 0, 0), StatSn.ADVANCE);
            pdu.release();
            return;
        }
        if (reason == InitiatorPdus.LogoutRequest.CLOSE_CONNECTION && cid != session.cid()) {
            conn.send(TargetPdus.logoutResponse(pdu.itt(), TargetPdus.LOGOUT_CID_NOT_FOUND, 0, 0), StatSn.ADVANCE);
            pdu.release();
            return;
        }
        // A later Logout Request replaces a pending one (its response answers the later ITT).
        conn.moveTo(ConnectionState.LOGOUT_PENDING);
        pendingLogoutItt = pdu.itt();
        pdu.release();
        flow.refuseNewCommands();
        startGraceTimer();
        finishLogoutIfIdle();
    }

    /** Tasks still running when the grace time ends are aborted (their responses suppressed). */
    private void startGraceTimer() {
        if (graceTimer == null) {
            graceTimer = conn.ctx.executor().schedule(this::graceExpired, options.logoutGraceSeconds(),
                    TimeUnit.SECONDS);
        }
    }

    private void graceExpired() {
        if (conn.closed()) {
            return;
        }
        for (IscsiTask t : flow.tasks()) {
            flow.abort(t);
        }
        if (conn.state() == ConnectionState.DRAINING) {
            SessionEnd.note(conn.ctx.channel(), SessionEnd.SHUTDOWN, "the initiator did not log out after the notice");
            conn.ctx.close();
        }
    }

    private void onTaskEnded() {
        finishLogoutIfIdle();
    }

    private void finishLogoutIfIdle() {
        if (!conn.state().logoutPending() || flow.taskCount() > 0) {
            return;
        }
        conn.moveTo(ConnectionState.LOGGED_OUT);
        // The logout ends the I_T nexus (this is the session's only connection): tell the core before the
        // initiator can see the response and log in again, so that state tied to the nexus (SCSI-2
        // reservation, medium-removal prevention, unit attentions) is gone by the time its next session
        // sends a command. cleanUp() repeats this harmlessly when the channel closes.
        SessionEnd.note(conn.ctx.channel(), SessionEnd.LOGOUT, shutdownNoticeSent ? "after the shutdown notice" : "");
        int itt = pendingLogoutItt;
        // Time2Wait/Time2Retain (RFC 7143 11.15.2-3) are ignored by the initiator at ERL < 2.
        Runnable answer = () -> conn.sendThenClose(TargetPdus.logoutResponse(itt, TargetPdus.LOGOUT_SUCCESS,
                session.params().defaultTime2Wait(), session.params().defaultTime2Retain()));
        // With several gateways the release of a SCSI-2 reservation is a cluster round trip: answer after it.
        conn.device().endNexus(conn.nexus).whenComplete((v, e) -> conn.onLoop(answer, () -> { }));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ShutdownNotice && !conn.closed() && !shutdownNoticeSent) {
            shutdownNoticeSent = true;
            if (conn.state() == ConnectionState.FULL_FEATURE) {
                conn.moveTo(ConnectionState.DRAINING);
            }
            // RFC 7143 11.9.1 event 1: the initiator logs out within Parameter3 seconds.
            conn.send(TargetPdus.asyncMessage(TargetPdus.ASYNC_LOGOUT_REQUESTED, 0, 0, options.logoutGraceSeconds()),
                    StatSn.ADVANCE);
            flow.refuseNewCommands();
            startGraceTimer();
        }
        super.userEventTriggered(ctx, evt);
    }

    // ---------------------------------------------------------------- connection lifecycle

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cleanUp();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        SessionEnd peer = SessionEnd.ofPeerError(cause);
        if (peer != null) {
            // The peer or the network dropped the connection: the end-of-session line says so, no stack trace.
            SessionEnd.note(ctx.channel(), peer.reason(), peer.detail());
        } else {
            SessionEnd.note(ctx.channel(), SessionEnd.ERROR, cause.toString());
            LOG.warn("{}: closing after error", conn == null ? session.initiatorName() : conn.nexus, cause);
        }
        ctx.close();
    }

    /**
     * Connection loss (or close): abort every task, release every buffer, tell the core the I_T
     * nexus is gone (SAM-5 6.3.4) and unregister the session.
     */
    private void cleanUp() {
        if (conn.closed()) {
            return;
        }
        conn.moveTo(ConnectionState.CLOSED);
        cancel(idleCheck);
        cancel(pingTimeout);
        cancel(graceTimer);
        cancel(dataOutCheck);
        conn.window.discardAll();
        flow.abortAllAndForget();
        conn.device().detach(conn.nexus, pendingTasks);
        try {
            conn.device().nexusLost(conn.nexus);
        } finally {
            context.sessions().unregister(session);
            logEnd();
        }
    }

    /**
     * One INFO line per session end, with key=value fields (logback's %kvp): who, from where, which
     * session, how long, how many commands, and why it ended.
     */
    private void logEnd() {
        SessionEnd end = SessionEnd.of(conn.ctx.channel());
        if (end == null) {
            end = new SessionEnd(shutdownNoticeSent ? SessionEnd.SHUTDOWN : SessionEnd.CLOSED_BY_PEER, "");
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        String duration = String.format(java.util.Locale.ROOT, "%.1fs", millis / 1000.0);
        SessionLog.session(LOG.atInfo(), "session-end", session)
                .addKeyValue("duration", duration)
                .addKeyValue("commands", commands)
                .addKeyValue("reason", end.reason())
                .log("{}: session ended: {}{}", conn.nexus, end.reason(), end.detail().isEmpty() ? "" : " (" + end.detail() + ")");
    }

    /** The command flow, for tests in this package. */
    ScsiCommandFlow flowForTests() {
        return flow;
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }
}
