package org.vaaitarget.server.session;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Live sessions, for TSIH allocation, session reinstatement and shutdown. Thread-safe (sessions live
 * on different event loops).
 */
public final class SessionRegistry {
    private final ConcurrentHashMap<String, Session> byKey = new ConcurrentHashMap<>();
    private final AtomicInteger nextTsih = new AtomicInteger(1);

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
        return new Registration(true, byKey.put(session.reinstatementKey(), session));
    }

    /** Removes the session if it is still the registered one for its key. */
    public void unregister(Session session) {
        byKey.remove(session.reinstatementKey(), session);
    }

    /** The live session for a key, or null. */
    public Session find(String initiatorName, String isid, String targetName) {
        return byKey.get(initiatorName + "|" + isid + "|" + (targetName == null ? "" : targetName));
    }

    public List<Session> all() {
        return new ArrayList<>(byKey.values());
    }

    public int size() {
        return byKey.size();
    }
}
