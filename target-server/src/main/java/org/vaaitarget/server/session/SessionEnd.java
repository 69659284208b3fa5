package org.vaaitarget.server.session;

import org.slf4j.Logger;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.util.Locale;

/**
 * Why a connection ended, for the one INFO line the full-feature handler logs when a session ends. The
 * first reason noted on a channel wins (a reinstatement that closes a connection the peer had already
 * reset still says what happened first).
 *
 * @param reason one word: logout, reset-by-peer, broken-pipe, connection-error, closed-by-peer, timeout,
 *               reinstatement, shutdown, target-cold-reset, protocol-error, error, fenced
 * @param detail a few words more, or empty
 */
public record SessionEnd(String reason, String detail) {
    private static final AttributeKey<SessionEnd> KEY = AttributeKey.valueOf("org.vaaitarget.sessionEnd");

    public static final String LOGOUT = "logout";
    public static final String RESET_BY_PEER = "reset-by-peer";
    public static final String BROKEN_PIPE = "broken-pipe";
    public static final String CONNECTION_ERROR = "connection-error";
    public static final String CLOSED_BY_PEER = "closed-by-peer";
    public static final String TIMEOUT = "timeout";
    public static final String REINSTATEMENT = "reinstatement";
    public static final String SHUTDOWN = "shutdown";
    public static final String TARGET_COLD_RESET = "target-cold-reset";
    public static final String PROTOCOL_ERROR = "protocol-error";
    public static final String ERROR = "error";
    /** This gateway was fenced off a LUN's shared image: its connections end before it reconnects. */
    public static final String FENCED = "fenced";

    /** Records why {@code channel} is about to end, unless a reason was recorded before. */
    public static void note(Channel channel, String reason, String detail) {
        channel.attr(KEY).setIfAbsent(new SessionEnd(reason, detail == null ? "" : detail));
    }

    /** The reason recorded for {@code channel}, or null. */
    public static SessionEnd of(Channel channel) {
        return channel.attr(KEY).get();
    }

    /**
     * Closes a connection after {@code cause}: a peer error ({@link #ofPeerError}) as one INFO line
     * "{@code <channel>: <peerText>: <detail>}", anything else as a WARN "{@code <channel>: <errorText>; closing}"
     * with the stack trace, both on the caller's logger.
     */
    public static void closeAfter(ChannelHandlerContext ctx, Throwable cause, Logger log, String peerText,
                                  String errorText) {
        SessionEnd peer = ofPeerError(cause);
        if (peer != null) {
            log.info("{}: {}: {}", ctx.channel(), peerText, peer.detail());
        } else {
            log.warn("{}: {}; closing", ctx.channel(), errorText, cause);
        }
        ctx.close();
    }

    /**
     * The reason for an exception that only says the peer or the network dropped the connection
     * (connection reset, broken pipe, and other socket I/O errors), or null for anything else: those
     * are logged as one INFO line, not as a WARN with a stack trace.
     */
    public static SessionEnd ofPeerError(Throwable cause) {
        if (!(cause instanceof IOException)) {
            return null;
        }
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        String m = message.toLowerCase(Locale.ROOT);
        String reason = m.contains("reset") ? RESET_BY_PEER : m.contains("broken pipe") ? BROKEN_PIPE : CONNECTION_ERROR;
        return new SessionEnd(reason, message);
    }
}
