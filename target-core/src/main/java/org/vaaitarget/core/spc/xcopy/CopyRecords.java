package org.vaaitarget.core.spc.xcopy;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.vaaitarget.core.scsi.ItNexus;

/**
 * The copy manager's bounded memory per target device: which identified copies are running (a second
 * EXTENDED COPY with the same LIST IDENTIFIER from the same nexus is OPERATION IN PROGRESS, SPC-4
 * 6.4.3.2), how many copies run in total (TOTAL CONCURRENT COPIES), and the recent held results per
 * I_T nexus for RECEIVE COPY RESULTS.
 *
 * <p>Bounds: {@link #MAX_HELD_PER_NEXUS} held results per nexus and {@link #MAX_NEXUSES} nexuses,
 * least recently used dropped first. A completed result is discarded once COPY STATUS has reported
 * it (a failed one once FAILED SEGMENT DETAILS has), so a list identifier is free again.
 */
final class CopyRecords {
    static final int MAX_HELD_PER_NEXUS = 16;
    static final int MAX_NEXUSES = 256;

    /** Outcome of {@link #begin}. */
    enum Admission { ADMITTED, LIST_ID_IN_USE, TOO_MANY_COPIES }

    private final int maxRunning;
    private int running;
    private final Map<ItNexus, Map<Integer, CopyRecord>> held = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ItNexus, Map<Integer, CopyRecord>> eldest) {
            return size() > MAX_NEXUSES;
        }
    };
    /** Identified copies running now, per nexus (including those whose status is not held). */
    private final Map<ItNexus, Map<Integer, CopyRecord>> active = new HashMap<>();

    CopyRecords(int maxRunning) {
        this.maxRunning = maxRunning;
    }

    /**
     * Admits a copy: counts it as running and, when {@code identified}, registers its list id.
     * {@code record} is kept for RECEIVE COPY RESULTS when {@code hold}.
     */
    synchronized Admission begin(ItNexus nexus, CopyRecord record, boolean identified, boolean hold) {
        if (identified) {
            Map<Integer, CopyRecord> mine = active.get(nexus);
            if (mine != null && mine.containsKey(record.listId())) {
                return Admission.LIST_ID_IN_USE;
            }
        }
        if (running >= maxRunning) {
            return Admission.TOO_MANY_COPIES;
        }
        running++;
        if (identified) {
            active.computeIfAbsent(nexus, n -> new HashMap<>()).put(record.listId(), record);
        }
        if (hold) {
            heldOf(nexus).put(record.listId(), record);
        }
        return Admission.ADMITTED;
    }

    /** Ends an admitted copy (its record stays held if it was). */
    synchronized void end(ItNexus nexus, CopyRecord record, boolean identified) {
        running--;
        if (identified) {
            Map<Integer, CopyRecord> mine = active.get(nexus);
            if (mine != null && mine.get(record.listId()) == record) {
                mine.remove(record.listId());
                if (mine.isEmpty()) {
                    active.remove(nexus);
                }
            }
        }
    }

    /** The held record for a list id of this nexus, or null. */
    synchronized CopyRecord find(ItNexus nexus, int listId) {
        Map<Integer, CopyRecord> mine = held.get(nexus);
        return mine == null ? null : mine.get(listId);
    }

    /** Forgets a held record (after it has been reported). */
    synchronized void discard(ItNexus nexus, CopyRecord record) {
        Map<Integer, CopyRecord> mine = held.get(nexus);
        if (mine != null && mine.get(record.listId()) == record) {
            mine.remove(record.listId());
        }
    }

    synchronized int running() {
        return running;
    }

    private Map<Integer, CopyRecord> heldOf(ItNexus nexus) {
        return held.computeIfAbsent(nexus, n -> new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, CopyRecord> eldest) {
                return size() > MAX_HELD_PER_NEXUS;
            }
        });
    }
}
