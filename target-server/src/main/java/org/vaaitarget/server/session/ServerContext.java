package org.vaaitarget.server.session;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.vaaitarget.server.login.AccessControl;

/**
 * Everything a connection needs from the server: the targets by name, the portals to advertise in
 * SendTargets, the values we offer in negotiation, and the live sessions (for reinstatement).
 *
 * @param targets  targets by IQN, in configuration order
 * @param portals  the addresses the server listens on (for SendTargets TargetAddress)
 * @param offer    the values this target declares/offers in operational negotiation
 * @param sessions live sessions
 * @param access   authentication, allow lists and LUN masking
 */
public record ServerContext(Map<String, ServerTarget> targets, List<InetSocketAddress> portals, TargetOffer offer,
                            SessionRegistry sessions, AccessControl access) {
    public ServerContext {
        Objects.requireNonNull(targets);
        Objects.requireNonNull(portals);
        Objects.requireNonNull(offer);
        Objects.requireNonNull(sessions);
        Objects.requireNonNull(access);
    }

    /** Without authentication or access restrictions ({@link AccessControl#open()}). */
    public ServerContext(Map<String, ServerTarget> targets, List<InetSocketAddress> portals, TargetOffer offer,
                         SessionRegistry sessions) {
        this(targets, portals, offer, sessions, AccessControl.open());
    }

    /** The same context advertising other portals (e.g. the bound ports of port-0 portals). */
    public ServerContext withPortals(List<InetSocketAddress> advertised) {
        return new ServerContext(targets, advertised, offer, sessions, access);
    }
}
