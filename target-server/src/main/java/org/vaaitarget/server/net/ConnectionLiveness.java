package org.vaaitarget.server.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.epoll.EpollSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.core.scsi.ItNexus;
import org.vaaitarget.core.scsi.NexusLiveness;
import org.vaaitarget.server.session.Session;
import org.vaaitarget.server.session.SessionRegistry;

/**
 * {@link NexusLiveness} for iSCSI over TCP: is the connection of each asked-about nexus still there?
 *
 * <p>The problem it solves: a connection's FIN (or RST) is processed by that connection's event loop,
 * whenever it next polls, and its nexus loss reaches the core from there. An initiator that closes one
 * connection and then, through a new session served by another event loop, sends a command that the
 * first nexus's SCSI-2 reservation or medium removal prevention would refuse, must get GOOD: the target
 * had the close first (libiscsi PreventAllow.ITNexusLoss and Reserve6.ITNexusLoss failed under load).
 *
 * <p>The check, run on the connection's own event loop (where its channel is closed, so its file
 * descriptor cannot be closed and reused under the check): a channel that is no longer active, or whose
 * socket the kernel no longer reports ESTABLISHED (CLOSE_WAIT after the peer's FIN, CLOSE after a reset;
 * TCP_INFO, read with {@link EpollSocketChannel#tcpInfo()}), is closed now, and the answer waits until the
 * full-feature handler's clean-up has told the core ({@link SessionRegistry#whenGone}). PDUs the peer
 * queued before its FIN are then dropped, as a reset would drop them; the peer said it would send no
 * more, and their tasks would be aborted by the nexus loss anyway (SAM-5 6.3.4). On the NIO transport
 * (no TCP_INFO) only a loss the event loop has already seen is found.
 *
 * <p>Rejected alternatives: a barrier through every event loop when a session logs in does not cover a
 * session that logged in before the other connection closed, costs every login, and is not even
 * sufficient (a task can run before the loop's next poll, and Netty fires channelInactive from a later
 * task); reading the kernel state only when a refusal is about to be answered costs nothing elsewhere.
 */
public final class ConnectionLiveness implements NexusLiveness {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLiveness.class);
    /** An answer is given after this long whatever happened (a stuck event loop counts as alive). */
    static final Duration LIMIT = Duration.ofSeconds(5);
    /** {@code TCP_ESTABLISHED} of Linux's include/net/tcp_states.h, as TCP_INFO's tcpi_state reports it. */
    private static final int TCP_ESTABLISHED = 1;

    private final SessionRegistry sessions;

    public ConnectionLiveness(SessionRegistry sessions) {
        this.sessions = sessions;
    }

    @Override
    public CompletionStage<Void> confirm(Set<ItNexus> nexuses) {
        List<CompletableFuture<Void>> checks = new ArrayList<>();
        for (ItNexus nexus : nexuses) {
            // No live session: its clean-up has already reported the loss (unregister follows nexusLost).
            for (Session s : sessions.liveSessionsOf(nexus)) {
                checks.add(check(s));
            }
        }
        if (checks.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new))
                .completeOnTimeout(null, LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private CompletableFuture<Void> check(Session session) {
        CompletableFuture<Void> answer = new CompletableFuture<>();
        Channel ch = session.channel();
        try {
            ch.eventLoop().execute(() -> {
                if (ch.isActive() && !peerClosed(ch)) {
                    answer.complete(null);
                    return;
                }
                if (ch.isActive()) {
                    LOG.info("{}: the initiator has closed the connection; ending nexus {} before deciding a "
                            + "command that its state would refuse", ch, session.nexus());
                    ch.close();
                }
                sessions.whenGone(session).whenComplete((v, e) -> answer.complete(null));
            });
        } catch (RejectedExecutionException e) {
            answer.complete(null);                  // shutting down: nothing more to learn
        }
        return answer;
    }

    /** Whether the kernel has the peer's FIN or a reset for this connection (epoll transport only). */
    static boolean peerClosed(Channel ch) {
        if (ch instanceof EpollSocketChannel epoll) {
            try {
                return epoll.tcpInfo().state() != TCP_ESTABLISHED;
            } catch (ChannelException e) {
                return true;                        // the socket is unusable
            }
        }
        return false;
    }
}
