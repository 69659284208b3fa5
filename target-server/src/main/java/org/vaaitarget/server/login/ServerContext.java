package org.vaaitarget.server.login;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.vaaitarget.server.metrics.ServerEvents;
import org.vaaitarget.server.session.ResourceLimits;
import org.vaaitarget.server.session.ServerTarget;
import org.vaaitarget.server.session.SessionRegistry;
import org.vaaitarget.server.session.TargetOffer;
import org.vaaitarget.server.session.ZeroCopyReads;

/**
 * Everything a connection needs from the server: the targets by name, the portals to advertise in
 * SendTargets, the values we offer in negotiation, and the live sessions (for reinstatement).
 *
 * @param targets  targets by IQN, in configuration order
 * @param portals  the addresses the server listens on (for SendTargets TargetAddress)
 * @param offer    the values this target declares/offers in operational negotiation
 * @param sessions live sessions
 * @param access   authentication, allow lists and LUN masking
 * @param limits   resource bounds (connections, sessions, login time, buffered write bytes, Data-Out wait)
 * @param zeroCopyReads which connections get large reads sent straight from the LUN file
 * @param events   where logins, connections, task management and early TASK SET FULL are reported (metrics)
 */
public record ServerContext(Map<String, ServerTarget> targets, List<InetSocketAddress> portals, TargetOffer offer,
                            SessionRegistry sessions, AccessControl access, ResourceLimits limits,
                            ZeroCopyReads zeroCopyReads, ServerEvents events) {
    public ServerContext {
        Objects.requireNonNull(zeroCopyReads);
        Objects.requireNonNull(events);
        Objects.requireNonNull(targets);
        Objects.requireNonNull(portals);
        Objects.requireNonNull(offer);
        Objects.requireNonNull(sessions);
        Objects.requireNonNull(access);
        Objects.requireNonNull(limits);
    }

    /** Without metrics ({@link ServerEvents#NONE}). */
    public ServerContext(Map<String, ServerTarget> targets, List<InetSocketAddress> portals, TargetOffer offer,
                         SessionRegistry sessions, AccessControl access, ResourceLimits limits,
                         ZeroCopyReads zeroCopyReads) {
        this(targets, portals, offer, sessions, access, limits, zeroCopyReads, ServerEvents.NONE);
    }

    /** Without authentication or access restrictions, with {@link ResourceLimits#defaults()}. */
    public ServerContext(Map<String, ServerTarget> targets, List<InetSocketAddress> portals, TargetOffer offer,
                         SessionRegistry sessions) {
        this(targets, portals, offer, sessions, AccessControl.open(), ResourceLimits.defaults(), ZeroCopyReads.NEVER);
    }

    /** With {@link ResourceLimits#defaults()}. */
    public ServerContext(Map<String, ServerTarget> targets, List<InetSocketAddress> portals, TargetOffer offer,
                         SessionRegistry sessions, AccessControl access) {
        this(targets, portals, offer, sessions, access, ResourceLimits.defaults(), ZeroCopyReads.NEVER);
    }

    /** Without authentication or access restrictions. */
    public ServerContext(Map<String, ServerTarget> targets, List<InetSocketAddress> portals, TargetOffer offer,
                         SessionRegistry sessions, ResourceLimits limits) {
        this(targets, portals, offer, sessions, AccessControl.open(), limits, ZeroCopyReads.NEVER);
    }

    /** With {@link ZeroCopyReads#NEVER}. */
    public ServerContext(Map<String, ServerTarget> targets, List<InetSocketAddress> portals, TargetOffer offer,
                         SessionRegistry sessions, AccessControl access, ResourceLimits limits) {
        this(targets, portals, offer, sessions, access, limits, ZeroCopyReads.NEVER);
    }

    /** The same context advertising other portals (e.g. the bound ports of port-0 portals). */
    public ServerContext withPortals(List<InetSocketAddress> advertised) {
        return new ServerContext(targets, advertised, offer, sessions, access, limits, zeroCopyReads, events);
    }
}
