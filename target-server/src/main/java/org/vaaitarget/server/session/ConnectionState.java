package org.vaaitarget.server.session;

import java.util.EnumSet;
import java.util.Set;

/**
 * The lifecycle of a connection in Full Feature Phase (RFC 7143 at ErrorRecoveryLevel 0, one connection per
 * session), with its legal transitions, in the manner of LIO's connection state table. {@link Connection}
 * moves through it with {@link #check}, so an impossible sequence (a Logout Response after the clean-up, a
 * second clean-up) fails loudly instead of corrupting the protocol state. A discovery session uses the same
 * table and never enters DRAINING (it closes on the shutdown notice) and leaves LOGOUT_PENDING at once (it has
 * no tasks).
 *
 * <pre>
 *   FULL_FEATURE --shutdown notice--> DRAINING --+
 *        |                               |       |
 *        +--Logout Request--> LOGOUT_PENDING <---+   (tasks finish or are aborted after the grace time)
 *                                 |      ^
 *                  all tasks done |      | a later Logout Request replaces the pending one
 *                                 v      |
 *                            LOGGED_OUT -+   (Logout Response written, the close follows)
 *   any state --channel inactive--> CLOSED (terminal)
 * </pre>
 */
public enum ConnectionState {
    /** Commands are accepted. */
    FULL_FEATURE,
    /** The server shuts down: the Async Message asked the initiator to log out (RFC 7143 11.9.1 event 1). */
    DRAINING,
    /** A Logout Request is held until the session's tasks have ended (RFC 7143 11.14). */
    LOGOUT_PENDING,
    /** The Logout Response is written; the connection closes once it is flushed. */
    LOGGED_OUT,
    /** Cleaned up: every task aborted, the nexus lost, the session unregistered. Nothing more is sent. */
    CLOSED;

    private Set<ConnectionState> next() {
        return switch (this) {
            case FULL_FEATURE -> EnumSet.of(DRAINING, LOGOUT_PENDING, CLOSED);
            case DRAINING -> EnumSet.of(LOGOUT_PENDING, CLOSED);
            case LOGOUT_PENDING -> EnumSet.of(LOGOUT_PENDING, LOGGED_OUT, CLOSED);
            case LOGGED_OUT -> EnumSet.of(LOGOUT_PENDING, CLOSED);
            case CLOSED -> EnumSet.noneOf(ConnectionState.class);
        };
    }

    /** Whether this state may be followed by {@code target}. */
    public boolean mayMoveTo(ConnectionState target) {
        return next().contains(target);
    }

    /**
     * @return {@code target}
     * @throws IllegalStateException when the table does not allow the move
     */
    public ConnectionState check(ConnectionState target) {
        if (!mayMoveTo(target)) {
            throw new IllegalStateException("connection state " + this + " cannot become " + target);
        }
        return target;
    }

    /** A Logout Request is waiting for the session's tasks. */
    public boolean logoutPending() {
        return this == LOGOUT_PENDING;
    }
}
