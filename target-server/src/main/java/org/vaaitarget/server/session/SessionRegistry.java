package org.vaaitarget.server.session;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.vaaitarget.core.scsi.ItNexus;

/**
 * Live sessions, for TSIH allocation, session reinstatement and shutdown. Thread-safe (sessions live
 * on different event loops).
 */
public final class SessionRegistry {
    private final ConcurrentHashMap<String, Session> byKey = new ConcurrentHashMap<>();
    private final AtomicInteger nextTsih = new AtomicInteger(1);
    /** Sessions registered and not yet unregistered (a replaced session stays here until it is cleaned up). */
    private final Set<Session> live = ConcurrentHashMap.newKeySet();
    private final Map<Session, CompletableFuture<Void>> goneWaiters = new HashMap<>();
    /** When each live session entered Full Feature Phase (registration), for the admin command. */
    private final Map<Session, Instant> loginTimes = new ConcurrentHashMap<>();

    /** A new non-zero TSIH (RFC 7143 11.12.7: 0 is reserved for "new session"). */
    public int allocateTsih() {
        while (true) {
            int t = nextTsih.getAndIncrement() & 0xFFFF;
            if (t != 0) {
                return t;
            }
        }
    }

    /**
     * Registers a new session. An existing session with the same initiator, ISID and target is
     * returned so that the caller can close it (session reinstatement, RFC 7143 6.3.5).
     */
    public Session register(Session session) {
        loginTimes.put(session, Instant.now());
        live.add(session);
        return byKey.put(session.reinstatementKey(), session);
    }

    /** What {@link #registerWithin} did. */
    public record Registration(boolean admitted, Session replaced) {
    }

    /**
     * Registers a new session unless that would exceed {@code maxSessions} server-wide or
     * {@code maxPerTarget} normal sessions of its target. A session that reinstates a live one
     * (same initiator, ISID and target) replaces it and is always admitted; the replaced one is
     * returned for the caller to close (RFC 7143 6.3.5).
     */
    public synchronized Registration registerWithin(Session session, int maxSessions, int maxPerTarget) {
        Session old = byKey.get(session.reinstatementKey());
        if (old == null) {
            if (byKey.size() >= maxSessions) {
                return new Registration(false, null);
            }
            if (session.target() != null) {
                String name = session.target().name();
                long same = byKey.values().stream()
                        .filter(s -> s.target() != null && s.target().name().equals(name)).count();
                if (same >= maxPerTarget) {
                    return new Registration(false, null);
                }
            }
        }
        loginTimes.put(session, Instant.now());
        live.add(session);
        return new Registration(true, byKey.put(session.reinstatementKey(), session));
    }

    /**
     * Removes the session if it is still the registered one for its key, and completes
     * {@link #whenGone} for it. The full-feature handler calls this after it has told the core that the
     * I_T nexus is gone, so the core's per-nexus state is clean by then.
     */
    public void unregister(Session session) {
        byKey.remove(session.reinstatementKey(), session);
        CompletableFuture<Void> waiter;
        synchronized (this) {
            live.remove(session);
            loginTimes.remove(session);
            waiter = goneWaiters.remove(session);
        }
        if (waiter != null) {
            waiter.complete(null);
        }
    }

    /**
     * Completes once {@code session} has been unregistered (at once if it already was). Session
     * reinstatement waits for this before the new session enters Full Feature Phase: the new session
     * has the same I_T nexus, and the old one's nexus-loss handling (releasing SCSI-2 reservations,
     * forgetting unit attentions and medium-removal preventions) must not land on the new one.
     */
    public synchronized CompletableFuture<Void> whenGone(Session session) {
        if (!live.contains(session)) {
            return CompletableFuture.completedFuture(null);
        }
        return goneWaiters.computeIfAbsent(session, k -> new CompletableFuture<>());
    }

    /**
     * The sessions of I_T nexus {@code nexus} registered and not yet unregistered, a session being
     * replaced by reinstatement included (its nexus loss may still be on its way).
     */
    public List<Session> liveSessionsOf(ItNexus nexus) {
        return live.stream().filter(s -> s.type() == SessionType.NORMAL && s.nexus().equals(nexus)).toList();
    }

    /** The live session for a key, or null. */
    public Session find(String initiatorName, String isid, String targetName) {
        return byKey.get(initiatorName + "|" + isid + "|" + (targetName == null ? "" : targetName));
    }

    public List<Session> all() {
        return new ArrayList<>(byKey.values());
    }

    /** {@link #all}, plus sessions replaced by reinstatement whose clean-up has not finished yet. */
    public List<Session> allLive() {
        return new ArrayList<>(live);
    }

    /** When a live session was registered (entered Full Feature Phase), or null. */
    public Instant loginTime(Session session) {
        return loginTimes.get(session);
    }

    public int size() {
        return byKey.size();
    }
}
