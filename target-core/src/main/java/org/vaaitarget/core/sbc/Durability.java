package org.vaaitarget.core.sbc;

import java.util.concurrent.CompletableFuture;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.lu.lock.RangeLock;

/**
 * How a command that changed the medium ends: the data is in the store (the page cache), so the range lock
 * is released at once and other commands on those blocks proceed; then, when the command must be durable
 * (FUA, or the caching mode page's WCE=0: SBC-4 4.15), its GOOD waits for a store flush requested now.
 *
 * <p>Why that is enough. The store's flush completes after an fdatasync that <em>started after the
 * request</em>, so it covers this command's own writes and every write that completed before them. A
 * command that read data another command wrote but had not yet answered (a COMPARE AND WRITE matching the
 * previous holder's unflushed record) requested its flush after that read, hence after the write it depends
 * on: its GOOD waits for a flush covering both. If that earlier flush failed, the store fails every later
 * flush too (see the file store's group commit), so no GOOD ever rests on lost data.
 */
final class Durability {
    private Durability() {
    }

    /**
     * Records the write in the LU's {@link org.vaaitarget.core.sbc.forensics.WriterHistory}, then releases
     * {@code lock} and commits as {@link #releaseThenCommit} does.
     */
    static CompletableFuture<Void> recordReleaseThenCommit(Task task, RangeLock lock, long lba, long blocks,
                                                           String command, boolean durable) {
        // Recorded while the lock is held, so the last record of a block is its last write (a miscompare
        // that read the data then finds its writer, even before that writer's flush completed).
        task.lu().writerHistory().recordWrite(lba, blocks, task.nexus(), command);
        return releaseThenCommit(task.lu(), lock, durable);
    }

    /**
     * Releases {@code lock} (idempotent: the task releases it again harmlessly) and, when {@code durable},
     * flushes the LU's store.
     */
    static CompletableFuture<Void> releaseThenCommit(LogicalUnit lu, RangeLock lock, boolean durable) {
        lock.close();
        return durable ? lu.store().flush() : CompletableFuture.completedFuture(null);
    }
}
