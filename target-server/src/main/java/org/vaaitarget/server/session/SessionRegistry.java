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
