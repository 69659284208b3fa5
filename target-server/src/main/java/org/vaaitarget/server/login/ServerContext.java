package org.vaaitarget.server.login;

import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.LinkedHashMap;
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
 * <p>A live reconfiguration ({@link #update}) replaces the targets, offer, access rules, limits and
 * zero-copy setting as one step; each is an immutable value read through a volatile field, so a login
 * sees either the old or the new value of each, and a session keeps what it negotiated at login.
 */
public final class ServerContext {
    private volatile Map<String, ServerTarget> targets;
    private volatile List<InetSocketAddress> portals;
    private volatile TargetOffer offer;
    private final SessionRegistry sessions;
    private volatile AccessControl access;
    private volatile ResourceLimits limits;
    private volatile ZeroCopyReads zeroCopyReads;
    private final ServerEvents events;

    /**
     * @param targets  targets by IQN, in configuration order
     * @param portals  the addresses the server listens on (for SendTargets TargetAddress)
     * @param offer    the values this target declares/offers in operational negotiation
     * @param sessions live sessions
     * @param access   authentication, allow lists and LUN masking
     * @param limits   resource bounds (connections, sessions, login time, buffered write bytes, Data-Out wait)
     * @param zeroCopyReads which connections get large reads sent straight from the LUN file
     * @param events   where logins, connections, task management and early TASK SET FULL are reported (metrics)
     */
    public ServerContext(Map<String, ServerTarget> targets, List<InetSocketAddress> portals, TargetOffer offer,
                         SessionRegistry sessions, AccessControl access, ResourceLimits limits,
                         ZeroCopyReads zeroCopyReads, ServerEvents events) {
        this.sessions = Objects.requireNonNull(sessions);
        this.events = Objects.requireNonNull(events);
        this.portals = List.copyOf(portals);
        update(targets, offer, access, limits, zeroCopyReads);
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

    public Map<String, ServerTarget> targets() {
        return targets;
    }

    public List<InetSocketAddress> portals() {
        return portals;
    }

    public TargetOffer offer() {
        return offer;
    }

    public SessionRegistry sessions() {
        return sessions;
    }

    public AccessControl access() {
        return access;
    }

    public ResourceLimits limits() {
        return limits;
    }

    public ZeroCopyReads zeroCopyReads() {
        return zeroCopyReads;
    }

    public ServerEvents events() {
        return events;
    }

    /** A new context advertising other portals (the same sessions); {@link #advertise} changes this one. */
    public ServerContext withPortals(List<InetSocketAddress> advertised) {
        return new ServerContext(targets, advertised, offer, sessions, access, limits, zeroCopyReads, events);
    }

    /** The portals SendTargets advertises from now on (the bound ports of port-0 portals, live changes). */
    public void advertise(List<InetSocketAddress> advertised) {
        this.portals = List.copyOf(advertised);
    }

    /**
     * Live reconfiguration: what new logins (and SendTargets) use from now on. Sessions in Full Feature
     * Phase keep their negotiated parameters; removing a target from the map does not end its sessions.
     */
    public synchronized void update(Map<String, ServerTarget> newTargets, TargetOffer newOffer, AccessControl newAccess,
                                    ResourceLimits newLimits, ZeroCopyReads newZeroCopyReads) {
        this.targets = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(newTargets))); // keeps the order
        this.offer = Objects.requireNonNull(newOffer);
        this.access = Objects.requireNonNull(newAccess);
        this.limits = Objects.requireNonNull(newLimits);
        this.zeroCopyReads = Objects.requireNonNull(newZeroCopyReads);
    }
}
