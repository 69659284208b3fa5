package org.vaaitarget.core.spc.xcopy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.vaaitarget.core.spc.xcopy.XcopyFixture.BS;
import static org.vaaitarget.core.spc.xcopy.XcopyFixture.naa;
import static org.vaaitarget.core.spc.xcopy.XcopyFixture.pattern;
import static org.vaaitarget.core.spc.xcopy.XcopyFixture.store;
import static org.vaaitarget.core.spc.xcopy.XcopyFixture.xcopyCdb;
import static org.vaaitarget.core.testkit.Harness.A;
import static org.vaaitarget.core.testkit.Harness.B;

import io.netty.buffer.Unpooled;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.lu.LunIdentity;
import org.vaaitarget.core.lu.LunLimits;
import org.vaaitarget.core.lu.lock.LockMode;
import org.vaaitarget.core.lu.lock.RangeLock;
import org.vaaitarget.core.lu.lock.RangeLockManager;
import org.vaaitarget.core.lu.lock.StripedRangeLockManager;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.TaskHandle;
import org.vaaitarget.core.spc.xcopy.XcopyFixture.ListBuilder;
import org.vaaitarget.core.store.StoreCapabilities;
import org.vaaitarget.core.store.memory.MemoryBlockStore;
import org.vaaitarget.core.testkit.Harness;

/**
 * Commands that lock several ranges (UNMAP with several descriptors, EXTENDED COPY's source and
 * destination) against each other and against single-range commands, with grants in arrival order
 * (SAM-5 5.4: the device server may not complete a task because of another task it waits for only if
 * that one completes; a cycle never completes). Every scenario is driven step by step on stores that
 * run inline, so each command has finished as soon as the lock it waited for is released: a command
 * still pending then is a deadlock, which the test reports (after aborting the tasks) instead of hanging.
 */
class MultiRangeLockTest {
    @Test
    void copyAndUnmapOfItsSourceAndDestinationDoNotDeadlock() {
        LogicalUnit lu = XcopyFixture.lu(0, 4096);
        Harness h = XcopyFixture.harness(ExtendedCopyHandlerTest.SMALL_CHUNKS, lu);
        h.clearUa(A, 0);
        h.clearUa(B, 0);
        store(lu).poke(0, pattern(8, 5));
        // A write in flight on the copy's source: the copy queues for its source lock first.
        RangeLock writer = lu.locks().acquire(0, 8, LockMode.EXCLUSIVE).join();
        byte[] copy = new ListBuilder().cscd(naa(0)).segment(0, 0, 8, 0, 1000).build();
        TaskHandle xcopy = h.device.submit(Harness.command(A, 0, xcopyCdb(copy.length), Unpooled.wrappedBuffer(copy)));
        // UNMAP of the source and the destination, from another host, arrives while the copy waits.
        byte[] list = Harness.unmapList(0, 8, 1000, 8);
        TaskHandle unmap = h.device.submit(Harness.command(B, 0, unmapCdb(list.length), Unpooled.wrappedBuffer(list)));
        writer.close();
        assertAllDone(List.of(xcopy, unmap), lu);
        assertEquals(ScsiStatus.GOOD, Harness.await(xcopy).status());
        assertEquals(ScsiStatus.GOOD, Harness.await(unmap).status());
        assertArrayEquals(new byte[8 * BS], store(lu).peek(1000, 8), "UNMAP ran after the copy");
    }

    @Test
    void copyAndOneWriteSpanningItsSourceAndDestinationDoNotDeadlock() {
        LogicalUnit lu = XcopyFixture.lu(0, 4096);
        Harness h = XcopyFixture.harness(ExtendedCopyHandlerTest.SMALL_CHUNKS, lu);
        h.clearUa(A, 0);
        h.clearUa(B, 0);
        RangeLock writer = lu.locks().acquire(0, 8, LockMode.EXCLUSIVE).join();
        byte[] copy = new ListBuilder().cscd(naa(0)).segment(0, 0, 8, 0, 40).build();
        TaskHandle xcopy = h.device.submit(Harness.command(A, 0, xcopyCdb(copy.length), Unpooled.wrappedBuffer(copy)));
        // WRITE SAME(16) of blocks 4..51: one range covering part of the source and all of the destination.
        byte[] ws = Harness.cdb(0x93, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 48, 0, 0);
        TaskHandle writeSame = h.device.submit(Harness.command(B, 0, ws, Unpooled.wrappedBuffer(pattern(1, 7))));
        writer.close();
        assertAllDone(List.of(xcopy, writeSame), lu);
        assertEquals(ScsiStatus.GOOD, Harness.await(xcopy).status());
        assertEquals(ScsiStatus.GOOD, Harness.await(writeSame).status());
    }

    @Test
    void twoUnmapsOnCrossingRangesDoNotDeadlock() {
        // The second UNMAP arrives right after the first one's first lock request, as it may on another
        // session's thread: the lock manager lets it in between the first one's calls.
        AtomicReference<Runnable> afterFirstCall = new AtomicReference<>();
        RangeLockManager real = new StripedRangeLockManager(8, 16);
        RangeLockManager interleaving = (RangeLockManager) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {RangeLockManager.class}, (proxy, method, args) -> {
                    Object out;
                    try {
                        out = method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (method.getName().startsWith("acquire")) {
                        Runnable r = afterFirstCall.getAndSet(null);
                        if (r != null) {
                            r.run();
                        }
                    }
                    return out;
                });
        LunIdentity id = new LunIdentity(naa(0), "SER0", "VAAITGT", "FILEDISK", "0001");
        MemoryBlockStore memory = new MemoryBlockStore(BS, 4096, new StoreCapabilities(true, true, true, true), null);
        LogicalUnit lu = new LogicalUnit(0, memory, LunLimits.defaults(BS), id, interleaving);
        Harness h = XcopyFixture.harness(ExtendedCopyHandlerTest.SMALL_CHUNKS, lu);
        h.clearUa(A, 0);
        h.clearUa(B, 0);
        byte[] first = Harness.unmapList(0, 8, 1000, 8);
        byte[] second = Harness.unmapList(1000, 8, 0, 8);
        List<TaskHandle> tasks = new ArrayList<>();
        afterFirstCall.set(() -> tasks.add(h.device.submit(
                Harness.command(B, 0, unmapCdb(second.length), Unpooled.wrappedBuffer(second)))));
        tasks.add(0, h.device.submit(Harness.command(A, 0, unmapCdb(first.length), Unpooled.wrappedBuffer(first))));
        assertEquals(2, tasks.size(), "the second UNMAP was submitted");
        assertAllDone(tasks, lu);
        for (TaskHandle t : tasks) {
            assertEquals(ScsiStatus.GOOD, Harness.await(t).status());
        }
    }

    /** Every task has completed and left no lock; else aborts them all (freeing their locks) and fails. */
    private static void assertAllDone(List<TaskHandle> tasks, LogicalUnit lu) {
        List<Integer> stuck = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            if (!tasks.get(i).result().toCompletableFuture().isDone()) {
                stuck.add(i);
            }
        }
        if (!stuck.isEmpty()) {
            tasks.forEach(TaskHandle::abort);
            fail("deadlock: commands " + stuck + " still wait for range locks that nothing will release");
        }
        assertEquals(0, lu.locks().outstanding(), "no range lock left");
    }

    static byte[] unmapCdb(int listLength) {
        return Harness.cdb(0x42, 0, 0, 0, 0, 0, 0, listLength >>> 8, listLength & 0xFF, 0);
    }

}
