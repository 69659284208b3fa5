package org.vaaitarget.core.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.lu.LunIdentity;
import org.vaaitarget.core.lu.LunLimits;
import org.vaaitarget.core.lu.lock.LockMode;
import org.vaaitarget.core.lu.lock.LockRange;
import org.vaaitarget.core.lu.lock.RangeLock;
import org.vaaitarget.core.lu.lock.RangeLockManager;
import org.vaaitarget.core.lu.lock.StripedRangeLockManager;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.DataDirection;
import org.vaaitarget.core.scsi.ItNexus;
import org.vaaitarget.core.scsi.ScsiCommand;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.TaskAttribute;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.store.memory.MemoryBlockStore;

/** The dispatcher's prepare, lock, execute step for range commands ({@link RangeExecution}). */
class RangeExecutionTest {
    private static final ItNexus NEXUS = new ItNexus("iqn.1998-01.com.vmware:esx-a", "00023d000001",
            "iqn.2024-01.org.vaaitarget:test", 1);

    /** Every lock request the LU's manager saw, in order. */
    private final List<String> requests = new ArrayList<>();
    private final RangeLockManager real = new StripedRangeLockManager(8, 16);
    private final RangeLockManager recording = new RangeLockManager() {
        @Override
        public CompletableFuture<RangeLock> acquire(long lba, long blocks, LockMode mode) {
            requests.add("acquire " + lba + "+" + blocks + " " + mode);
            return real.acquire(lba, blocks, mode);
        }

        @Override
        public CompletableFuture<RangeLock> acquireAll(List<LockRange> ranges) {
            StringBuilder s = new StringBuilder("acquireAll");
            for (LockRange r : ranges) {
                s.append(' ').append(r.lba()).append('+').append(r.blocks()).append(' ').append(r.mode());
            }
            requests.add(s.toString());
            return real.acquireAll(ranges);
        }

        @Override
        public int outstanding() {
            return real.outstanding();
        }
    };
    private final LogicalUnit lu = new LogicalUnit(0, new MemoryBlockStore(512, 1024), LunLimits.defaults(512),
            identity(), recording);

    /** A range command whose prepare answers {@code prepared} and whose execute records what it held. */
    private final class Probe implements RangeCommandHandler<String> {
        final Prepared<String> prepared;
        final CompletableFuture<CommandResult> finish = new CompletableFuture<>();
        String executed;
        RangeLock held;
        int outstandingDuringExecute = -1;

        Probe(Prepared<String> prepared) {
            this.prepared = prepared;
        }

        @Override
        public List<CommandSpec> commands() {
            return List.of();
        }

        @Override
        public Prepared<String> prepare(Task task) {
            return prepared;
        }

        @Override
        public CompletionStage<CommandResult> execute(Task task, String command, RangeLock lock) {
            executed = command;
            held = lock;
            outstandingDuringExecute = lu.locks().outstanding();
            return finish;
        }
    }

    private Task task() {
        ScsiCommand cmd = new ScsiCommand(NEXUS, 0, new byte[16], 0, DataDirection.NONE, TaskAttribute.SIMPLE, 1, null,
                false);
        return new Task(cmd, lu, UnpooledByteBufAllocator.DEFAULT);
    }

    @Test
    void executeRunsHoldingTheRangeAndTheTaskReleasesItWhenTheStageCompletes() throws Exception {
        Probe probe = new Probe(Prepared.locking("write", 8, 4, LockMode.EXCLUSIVE));
        Task task = task();
        CompletionStage<CommandResult> stage = probe.execute(task);
        assertEquals("write", probe.executed);
        assertEquals(1, probe.outstandingDuringExecute, "the range is held while execute runs");
        assertEquals(List.of("acquire 8+4 EXCLUSIVE"), requests);
        assertEquals(8, probe.held.lba());
        probe.finish.complete(CommandResult.good(0));
        assertEquals(ScsiStatus.GOOD, stage.toCompletableFuture().get(5, TimeUnit.SECONDS).status());
        assertEquals(1, lu.locks().outstanding(), "held until the dispatcher finishes the task");
        task.finish();
        assertEquals(0, lu.locks().outstanding());
    }

    @Test
    void aFailedPrepareLocksNothingAndNeverExecutes() throws Exception {
        Task task = task();
        Probe probe = new Probe(Prepared.done(task.check(SenseReason.LBA_OUT_OF_RANGE)));
        CommandResult r = probe.execute(task).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertEquals(ScsiStatus.CHECK_CONDITION, r.status());
        assertNull(probe.executed);
        assertTrue(requests.isEmpty());
    }

    @Test
    void severalRangesAreOneRequestInLbaOrder() throws Exception {
        Probe probe = new Probe(Prepared.locking("unmap", List.of(new LockRange(100, 5, LockMode.EXCLUSIVE),
                new LockRange(3, 2, LockMode.EXCLUSIVE), new LockRange(40, 1, LockMode.SHARED))));
        Task task = task();
        probe.execute(task);
        assertEquals(List.of("acquireAll 3+2 EXCLUSIVE 40+1 SHARED 100+5 EXCLUSIVE"), requests);
        assertEquals("unmap", probe.executed);
        task.finish();
        assertEquals(0, lu.locks().outstanding());
    }

    @Test
    void noRangeExecutesWithoutALock() {
        Probe probe = new Probe(Prepared.unlocked("flush"));
        probe.execute(task());
        assertEquals("flush", probe.executed);
        assertNull(probe.held);
        assertTrue(requests.isEmpty());
    }

    @Test
    void aTaskAbortedWhileWaitingForItsRangeNeverExecutes() throws Exception {
        RangeLock other = real.acquire(0, 16, LockMode.EXCLUSIVE).get();
        Probe probe = new Probe(Prepared.locking("caw", 4, 1, LockMode.EXCLUSIVE));
        Task task = task();
        CompletableFuture<CommandResult> stage = probe.execute(task).toCompletableFuture();
        assertFalse(stage.isDone(), "waits behind the other holder");
        task.abort();
        other.close();
        assertTrue(stage.isCompletedExceptionally(), "the withdrawn request fails the stage");
        assertNull(probe.executed, "execute never ran");
        task.finish();
        assertEquals(0, lu.locks().outstanding());
    }

    private static LunIdentity identity() {
        byte[] naa = new byte[16];
        naa[0] = 0x60;
        naa[15] = 1;
        return new LunIdentity(naa, "serial0001", "VAAITGT", "vaai-target", "0001");
    }
}
