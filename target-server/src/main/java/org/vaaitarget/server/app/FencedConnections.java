package org.vaaitarget.server.app;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.core.dispatch.TargetDevice;
import org.vaaitarget.core.lu.FenceListener;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.server.session.Session;
import org.vaaitarget.server.session.SessionEnd;
import org.vaaitarget.server.session.SessionRegistry;

/**
 * What the server does when this gateway has been fenced off a LUN's shared RBD image (another gateway took it over):
 * it closes every connection of the LUN's target at once (not a logout: commands still in their sockets must not be
 * read), waits until their sessions are cleaned up (the core has aborted their tasks), then until every command the
 * target had admitted to its LUNs has finished (they fail with NOT READY, TARGET PORT IN UNAVAILABLE STATE while the
 * gateway is fenced), so that nothing sent before the fence is left when the store reconnects. The hosts log in again
 * and retry; ALUA sends them to the owner's gateway.
 */
final class FencedConnections implements FenceListener {
    private static final Logger LOG = LoggerFactory.getLogger(FencedConnections.class);

    private final TargetDevice device;
    private final SessionRegistry sessions;

    private FencedConnections(TargetDevice device, SessionRegistry sessions) {
        this.device = device;
        this.sessions = sessions;
    }

    /** Installs the listener on {@code lu} of {@code device} when several gateways serve it (an RBD LUN). */
    static void install(TargetDevice device, LogicalUnit lu, SessionRegistry sessions) {
        if (lu.gateways() != null) {
            lu.gateways().onFenced(new FencedConnections(device, sessions));
        }
    }

    /** {@link #install} on every LUN of {@code device}. */
    static void install(TargetDevice device, SessionRegistry sessions) {
        for (LogicalUnit lu : device.luns()) {
            install(device, lu, sessions);
        }
    }

    @Override
    public CompletionStage<Void> fenced(LogicalUnit lu) {
        List<CompletableFuture<Void>> gone = new ArrayList<>();
        for (Session s : LiveChanges.sessionsOf(sessions.allLive(), device.targetName())) {
            gone.add(sessions.whenGone(s));
            s.close(SessionEnd.FENCED);
        }
        LOG.warn("Target {}: LUN {} was fenced off its shared image; closed its {} session(s), waiting for their commands",
                device.targetName(), lu.number(), gone.size());
        return CompletableFuture.allOf(gone.toArray(CompletableFuture[]::new)).thenCompose(v -> {
            // commands of every LUN of the target: an EXTENDED COPY on another LUN may write this one
            List<CompletableFuture<Void>> admitted = new ArrayList<>();
            for (LogicalUnit any : device.luns()) {
                admitted.add(device.quiesce(any, null));
            }
            return CompletableFuture.allOf(admitted.toArray(CompletableFuture[]::new));
        });
    }
}
