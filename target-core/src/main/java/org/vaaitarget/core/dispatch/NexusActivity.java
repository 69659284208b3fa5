package org.vaaitarget.core.dispatch;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one I_T nexus is doing on a target device, for the admin command's session list: tasks in the
 * core right now, and the data moved by the commands that completed GOOD. Thread-safe.
 */
public final class NexusActivity {
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder bytesRead = new LongAdder();
    private final LongAdder bytesWritten = new LongAdder();

    void started() {
        inFlight.incrementAndGet();
    }

    void finished(long read, long written) {
        inFlight.decrementAndGet();
        if (read > 0) {
            bytesRead.add(read);
        }
        if (written > 0) {
            bytesWritten.add(written);
        }
    }

    /** Tasks submitted by this nexus that have not completed yet. */
    public int tasksInFlight() {
        return inFlight.get();
    }

    /** Data-In bytes of this nexus's commands that completed GOOD. */
    public long bytesRead() {
        return bytesRead.sum();
    }

    /** Data-Out bytes of this nexus's commands that completed GOOD. */
    public long bytesWritten() {
        return bytesWritten.sum();
    }
}
