package org.vaaitarget.core.lu.ua;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.vaaitarget.core.scsi.ItNexus;
import org.vaaitarget.core.scsi.sense.SenseReason;

/**
 * Pending unit attention conditions of one LU, per I_T nexus (SAM-5 5.14). Thread-safe.
 *
 * <p>A nexus seen for the first time gets no POWER ON unit attention: SAM-5 6.3.1 establishes it for the
 * I_T nexuses that exist at power on, and every nexus of this target is created after start-up (a restart
 * drops every connection, which is how initiators learn of it). Some initiators (jSCSI) cannot handle a
 * unit attention on their first command.
 */
public final class UnitAttentions {
    private final Map<ItNexus, Deque<SenseReason>> pending = new HashMap<>();
    private final Set<ItNexus> known = new HashSet<>();

    /** Raises a condition for every known nexus except {@code except} (which may be null). */
    public synchronized void raiseForAll(SenseReason reason, ItNexus except) {
        for (ItNexus n : known) {
            if (!n.equals(except)) {
                raise(n, reason);
            }
        }
    }

    /** Raises a condition for one nexus; a condition already pending is not queued twice. */
    public synchronized void raise(ItNexus nexus, SenseReason reason) {
        known.add(nexus);
        Deque<SenseReason> q = pending.computeIfAbsent(nexus, k -> new ArrayDeque<>());
        if (!q.contains(reason)) {
            q.addLast(reason);
        }
    }

    /** The oldest pending condition for the nexus, removed; null when none. */
    public synchronized SenseReason poll(ItNexus nexus) {
        known.add(nexus);
        Deque<SenseReason> q = pending.get(nexus);
        return q == null ? null : q.pollFirst();
    }

    /** The oldest pending condition without removing it (REQUEST SENSE may consume it with poll). */
    public synchronized SenseReason peek(ItNexus nexus) {
        known.add(nexus);
        Deque<SenseReason> q = pending.get(nexus);
        return q == null ? null : q.peekFirst();
    }

    /**
     * Moves the pending conditions of the nexuses {@code which} accepts to {@code to} (in order), removing them here:
     * conditions staged during a reservation change reach their LU (or are sent to another gateway) this way.
     */
    public synchronized void moveTo(UnitAttentions to, java.util.function.Predicate<ItNexus> which) {
        for (var it = pending.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (which.test(e.getKey())) {
                e.getValue().forEach(r -> to.raise(e.getKey(), r));
                it.remove();
            }
        }
    }

    /** The pending conditions, oldest first per nexus (a copy). */
    public synchronized Map<ItNexus, java.util.List<SenseReason>> pending() {
        Map<ItNexus, java.util.List<SenseReason>> out = new HashMap<>();
        pending.forEach((n, q) -> out.put(n, java.util.List.copyOf(q)));
        return out;
    }

    /** Forgets a nexus that logged out for good. */
    public synchronized void forget(ItNexus nexus) {
        pending.remove(nexus);
        known.remove(nexus);
    }
}
