package org.vaaitarget.server.login;

import org.vaaitarget.server.pdu.LoginStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.server.codec.DigestPolicy;
import org.vaaitarget.server.codec.FrameLimits;
import org.vaaitarget.server.codec.FramingState;
import org.vaaitarget.server.codec.RejectedFrame;
import org.vaaitarget.server.session.ClosingHandler;
import org.vaaitarget.server.pdu.Opcode;
import org.vaaitarget.server.pdu.Pdu;
import org.vaaitarget.server.session.NegotiatedParameters;
import org.vaaitarget.server.session.ResourceLimits;
import org.vaaitarget.server.session.Session;
import org.vaaitarget.server.session.SessionLog;
import org.vaaitarget.server.session.SessionEnd;
import org.vaaitarget.server.session.SessionRegistry;
import org.vaaitarget.server.session.SessionType;

/**
 * The Login Phase of one connection (RFC 7143 6): stage transitions (CSG/NSG/T/C), text
 * negotiation through {@link KeyNegotiator}, leading-login checks ({@link LeadingLogin}), the
 * session's StatSN start, and the hand-over to the discovery or full-feature handler, which
 * replaces this handler in the pipeline. Runs on the channel's event loop only.
 *
 * <p>Any failure answers with a Login Response carrying the status (RFC 7143 11.13.5) and closes.
 * The whole login is bounded in time: past the timeout the connection is closed.
 */
public final class LoginHandler extends ClosingHandler {
    private static final Logger LOG = LoggerFactory.getLogger(LoginHandler.class);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** How long a reinstating login waits for the old session's clean-up before it goes on anyway. */
    private static final long REINSTATEMENT_WAIT_SECONDS = 10;

    private final ServerContext context;
    private final FramingState framing;
    private final PhaseHandlers next;
    private final Duration timeout;
    private final KeyNegotiator negotiator;
    private final TextAccumulator requestText = new TextAccumulator();
    private final LeadingLogin leading;

    private LoginStage stage;        // null until the first request
    private LoginRequest first;
    private int statSn;              // the StatSN of the next response
    private ChunkedText pending;     // a response being sent in pieces (C bit)
    private boolean pendingTransit;
    private int pendingNsg;
    private boolean mrdslDeclared;
    private boolean finished;
    private ScheduledFuture<?> timer;

    /** With the default login timeout. */
    public LoginHandler(ServerContext context, FramingState framing, PhaseHandlers next) {
        this(context, framing, next, DEFAULT_TIMEOUT);
    }

    public LoginHandler(ServerContext context, FramingState framing, PhaseHandlers next, Duration timeout) {
        super(LOG, "connection lost during login", "error during login");
        this.context = context;
        this.framing = framing;
        this.next = next;
        this.timeout = timeout;
        this.negotiator = new KeyNegotiator(context.offer(), () -> context.access()
                .authenticators(negotiator().sessionType(), negotiator().value(TextKeys.TARGET_NAME)));
        this.leading = new LeadingLogin(context, negotiator);
    }

    private KeyNegotiator negotiator() {
        return negotiator;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timer = ctx.executor().schedule(() -> {
            LOG.warn("{}: login not completed within {}; closing", ctx.channel(), timeout);
            ctx.close();
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        timer.cancel(false);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (finished) {
            release(msg);
            return;
        }
        Pdu pdu = msg instanceof Pdu p ? p : msg instanceof RejectedFrame r ? Pdu.decoded(r.bhs(), null, null) : null;
        if (pdu == null) {
            ReferenceCountUtil.release(msg);
            return;
        }
        LoginRequest req = LoginRequest.of(pdu);
        try {
            if (msg instanceof RejectedFrame r) {
                throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "bad frame during login: " + r.reason());
            }
            if (pdu.opcode() != Opcode.LOGIN_REQUEST) {
                // RFC 7143 11.13.5: 0x020B "Invalid request type during login"
                throw new LoginFailure(LoginStatus.INVALID_DURING_LOGIN, "non-login PDU " + pdu + " during login");
            }
            onLoginRequest(ctx, req, pdu.data());
        } catch (LoginFailure f) {
            fail(ctx, req, f);
        } finally {
            pdu.release();
        }
    }

    private void onLoginRequest(ChannelHandlerContext ctx, LoginRequest req, ByteBuf data) throws LoginFailure {
        checkHeader(req);
        if (pending != null) { // the initiator asks for the rest of a continued response
            if (data.isReadable()) {
                throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "text sent while our response continues");
            }
            sendChunk(ctx, req);
            return;
        }
        if (!requestText.append(data)) {
            throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "login text above " + TextAccumulator.MAX_TEXT);
        }
        if (req.cont()) { // RFC 7143 11.12: a continued request is answered with an empty Login Response
            write(ctx, LoginResponses.response(req, false, false, stage.code(), 0, req.tsih(), statSn++,
                    req.cmdSn(), maxCmdSn(req), LoginStatus.SUCCESS, null));
            return;
        }
        List<Map.Entry<String, String>> pairs;
        try {
            pairs = TextKeyValues.parse(requestText.drain());
        } catch (TextKeyValues.MalformedTextException e) {
            throw new LoginFailure(LoginStatus.INITIATOR_ERROR, e.getMessage());
        }
        List<Map.Entry<String, String>> response = new ArrayList<>(negotiator.negotiate(pairs, stage));
        if (!leading.checked()) {
            leading.check(req, response, ctx.channel().remoteAddress());
        }
        if (response.contains(Map.entry(TextKeys.AUTH_METHOD, KeyNegotiator.REJECT))) {
            throw new LoginFailure(LoginStatus.AUTHENTICATION_FAILURE, "no common AuthMethod (authentication "
                    + (context.access().authFor(negotiator.sessionType(), negotiator.value(TextKeys.TARGET_NAME))
                    .required() ? "by CHAP is required)" : "offered: None)"));
        }
        // T=1 is answered with T=1 unless the security stage is not done (RFC 7143 6.3)
        boolean transit = req.transit()
                && (stage != LoginStage.SECURITY_NEGOTIATION || negotiator.securityComplete());
        declareMaxRecvDataSegmentLength(response, transit, req.nsg());
        pending = new ChunkedText(TextKeyValues.encode(response), FrameLimits.LOGIN_MAX_RECV_DATA_SEGMENT_LENGTH);
        pendingTransit = transit;
        pendingNsg = req.nsg();
        sendChunk(ctx, req);
    }

    /** Our MaxRecvDataSegmentLength is declared once, in the operational stage or the final response. */
    private void declareMaxRecvDataSegmentLength(List<Map.Entry<String, String>> response, boolean transit, int nsg) {
        if (response.stream().anyMatch(e -> e.getKey().equals(TextKeys.MAX_RECV_DATA_SEGMENT_LENGTH))) {
            mrdslDeclared = true;
        }
        boolean due = stage == LoginStage.LOGIN_OPERATIONAL_NEGOTIATION
                || (transit && nsg == LoginStage.FULL_FEATURE_PHASE.code());
        if (!mrdslDeclared && due) {
            response.add(Map.entry(TextKeys.MAX_RECV_DATA_SEGMENT_LENGTH,
                    Integer.toString(context.offer().maxRecvDataSegmentLength())));
            mrdslDeclared = true;
        }
    }

    private void checkHeader(LoginRequest req) throws LoginFailure {
        if (req.versionMin() > LoginResponses.VERSION) {
            throw new LoginFailure(LoginStatus.UNSUPPORTED_VERSION, "Version-min " + req.versionMin());
        }
        if (first == null) {
            if (req.csg() > LoginStage.LOGIN_OPERATIONAL_NEGOTIATION.code()) {
                throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "login starts in stage " + req.csg());
            }
            first = req;
            stage = LoginStage.of(req.csg());
            statSn = req.expStatSn(); // any start value will do (RFC 7143 11.13.4); this one suits the initiator
        } else if (!req.isid().equals(first.isid()) || req.tsih() != first.tsih() || req.cid() != first.cid()) {
            throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "ISID, TSIH or CID changed during login");
        } else if (req.csg() != stage.code()) {
            throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "CSG " + req.csg() + " but stage is " + stage);
        }
        if (req.transit() && req.cont()) { // RFC 7143 11.12: T and C must not both be 1
            throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "T and C both set");
        }
        LoginStage nsg = LoginStage.of(req.nsg());
        if (req.transit() && (nsg == null || nsg.code() <= req.csg())) {
            throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "bad transition " + req.csg() + "->" + req.nsg());
        }
    }

    private void sendChunk(ChannelHandlerContext ctx, LoginRequest req) throws LoginFailure {
        ByteBuf text = pending.next();
        boolean more = pending.hasMore();
        boolean transit = !more && pendingTransit;
        if (!more) {
            pending = null;
        }
        if (transit && pendingNsg == LoginStage.FULL_FEATURE_PHASE.code()) {
            complete(ctx, req, text);
            return;
        }
        write(ctx, LoginResponses.response(req, transit, more, stage.code(), pendingNsg, req.tsih(), statSn++,
                req.cmdSn(), maxCmdSn(req), LoginStatus.SUCCESS, text));
        if (transit) {
            stage = LoginStage.of(pendingNsg);
        }
    }

    /** The final Login Response, then Full Feature Phase (RFC 7143 6.3, 13.1 for the digest switch). */
    private void complete(ChannelHandlerContext ctx, LoginRequest req, ByteBuf text) throws LoginFailure {
        NegotiatedParameters params = negotiator.parameters();
        int tsih = context.sessions().allocateTsih();
        int finalStatSn = statSn++;
        Session session = new Session(negotiator.value(TextKeys.INITIATOR_NAME),
                negotiator.resolved(TextKeys.INITIATOR_ALIAS) ? negotiator.value(TextKeys.INITIATOR_ALIAS) : null,
                first.isid(), tsih, negotiator.sessionType(), leading.target(), params, first.cid(), req.cmdSn(),
                ctx.channel(), statSn);
        ResourceLimits limits = context.limits();
        SessionRegistry.Registration reg = context.sessions().registerWithin(session, limits.maxSessions(),
                limits.maxSessionsPerTarget());
        if (!reg.admitted()) {
            if (text != null) {
                text.release();
            }
            throw new LoginFailure(LoginStatus.OUT_OF_RESOURCES, "session limit reached (limits.maxSessions "
                    + limits.maxSessions() + ", limits.maxSessionsPerTarget " + limits.maxSessionsPerTarget() + ")");
        }
        Session old = reg.replaced();
        if (old != null && old != session) {
            SessionLog.session(LOG.atInfo(), "reinstatement", old)
                    .log("{}: session reinstatement, closing the old session tsih={}", ctx.channel(), old.tsih());
            old.close(SessionEnd.REINSTATEMENT); // RFC 7143 6.3.5
            // The new session is the same I_T nexus: enter Full Feature Phase only once the old session's
            // nexus loss has been handled, so that it cannot clear the new session's state.
            context.sessions().whenGone(old)
                    .completeOnTimeout(null, REINSTATEMENT_WAIT_SECONDS, TimeUnit.SECONDS)
                    .whenComplete((v, e) -> ctx.executor().execute(() -> {
                        if (!ctx.channel().isActive()) {
                            context.sessions().unregister(session);
                            if (text != null) {
                                text.release();
                            }
                            return;
                        }
                        enterFullFeaturePhase(ctx, req, text, session, finalStatSn);
                    }));
            return;
        }
        enterFullFeaturePhase(ctx, req, text, session, finalStatSn);
    }

    /** Sends the final Login Response and hands the connection to the session's phase handler. */
    private void enterFullFeaturePhase(ChannelHandlerContext ctx, LoginRequest req, ByteBuf text, Session session,
                                       int finalStatSn) {
        NegotiatedParameters params = session.params();
        int tsih = session.tsih();
        if (session.type() == SessionType.DISCOVERY) {
            // Normal sessions are unregistered by the full-feature handler after the core saw the nexus loss.
            ctx.channel().closeFuture().addListener(f -> context.sessions().unregister(session));
        }
        write(ctx, LoginResponses.response(req, true, false, stage.code(), LoginStage.FULL_FEATURE_PHASE.code(),
                tsih, finalStatSn, req.cmdSn(), maxCmdSn(req), LoginStatus.SUCCESS, text));
        framing.enterFullFeaturePhase(new DigestPolicy(params.headerDigest(), params.dataDigest()),
                FrameLimits.forDeclared(params.maxRecvDataSegmentLength()));
        finished = true;
        context.events().login(LoginStatus.SUCCESS);
        if ("CHAP".equals(negotiator.value(TextKeys.AUTH_METHOD))) {
            context.access().throttle().succeeded(AccessControl.source(ctx.channel().remoteAddress()));
        }
        SessionLog.session(LOG.atInfo(), "login", session).log("{}: login complete: {} session tsih={} initiator={} target={}",
                ctx.channel(), session.type(), tsih, session.initiatorName(),
                leading.target() == null ? "-" : leading.target().name());
        ChannelHandler successor = session.type() == SessionType.DISCOVERY
                ? next.discovery(context, session) : next.normal(context, session);
        ctx.pipeline().replace(this, session.type() == SessionType.DISCOVERY ? "discovery" : "fullFeature",
                successor);
    }

    /**
     * Answers the failure and closes. A failed authentication exchange is answered late, by the per-address
     * {@link AuthFailureThrottle} delay (scheduled on the event loop), to slow down secret guessing.
     */
    private void fail(ChannelHandlerContext ctx, LoginRequest req, LoginFailure f) {
        finished = true;
        context.events().login(f.status());
        int csg = stage == null ? 0 : stage.code();
        int sn = statSn++;
        Runnable answer = () -> ctx.writeAndFlush(LoginResponses.response(req, false, false, csg, 0, req.tsih(), sn,
                req.cmdSn(), maxCmdSn(req), f.status(), Unpooled.EMPTY_BUFFER)).addListener(ChannelFutureListener.CLOSE);
        if (!f.isBadCredentials()) {
            LOG.atWarn().addKeyValue("event", "login-failed")
                    .addKeyValue("initiator", initiatorForLog())
                    .addKeyValue("peer", SessionLog.peer(ctx.channel().remoteAddress()))
                    .addKeyValue("status", String.format("0x%04x", f.status().code()))
                    .log("{}: login failed, status 0x{}: {}", ctx.channel(), Integer.toHexString(f.status().code()),
                            f.getMessage());
            answer.run();
            return;
        }
        SocketAddress remote = ctx.channel().remoteAddress();
        Duration delay = context.access().throttle().failed(AccessControl.source(remote));
        LOG.atWarn().addKeyValue("event", "auth-failed")
                .addKeyValue("initiator", initiatorForLog())
                .addKeyValue("peer", SessionLog.peer(remote))
                .addKeyValue("status", String.format("0x%04x", f.status().code()))
                .log("{}: authentication failed for initiator {} from {} (answered in {} ms): {}", ctx.channel(),
                        initiatorForLog(), remote, delay.toMillis(), f.getMessage());
        ctx.executor().schedule(answer, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The InitiatorName the login sent so far, for log records. */
    private String initiatorForLog() {
        return negotiator.resolved(TextKeys.INITIATOR_NAME) ? negotiator.value(TextKeys.INITIATOR_NAME) : "(unnamed)";
    }

    private int maxCmdSn(LoginRequest req) {
        return req.cmdSn() + context.offer().queueDepth() - 1;
    }

    private static void write(ChannelHandlerContext ctx, Pdu pdu) {
        ctx.writeAndFlush(pdu).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
    }

    private static void release(Object msg) {
        if (msg instanceof Pdu p) {
            p.release();
        } else {
            ReferenceCountUtil.release(msg);
        }
    }
}
