package org.vaaitarget.core.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.assembly.LogicalUnits;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.testkit.Harness;
import org.vaaitarget.core.testkit.Reply;
import org.vaaitarget.core.assembly.StandardDevice;

/** LUNs added, removed and grown while the device runs, and masking replaced (live reconfiguration). */
class LiveInventoryTest {
    private static final int[] TUR = {0x00, 0, 0, 0, 0, 0};
    private static final int[] REPORT_LUNS = {0xA0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0};
    private static final int[] READ_CAPACITY_16 = {0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0};

    private TargetDevice device;
    private Harness h;

    @BeforeEach
    void open() {
        device = StandardDevice.of(Harness.TARGET, List.of(Harness.lu(0, Harness.THIN_WRITE_BACK),
                Harness.lu(1, Harness.THIN_WRITE_BACK)));
        h = new Harness(device);
        h.clearUa(Harness.A, 0);
        h.clearUa(Harness.A, 1);
        h.clearUa(Harness.B, 0);
    }

    @AfterEach
    void close() {
        device.close();
    }

    @Test
    void aRemovedLunReportsTheChangeBeforeItAnswersNotSupported() throws Exception {
        LogicalUnit removed = device.removeLun(1, List.of()).get(5, TimeUnit.SECONDS);
        assertEquals(1, removed.number());
        assertEquals(8, h.run(Harness.A, 0, REPORT_LUNS).u32(0), "REPORT LUNS: LUN 0 only");

        // B has not been told yet: its next command (on any LUN) gets the UA once, then runs normally.
        Harness.assertCheck(h.run(Harness.B, 0, TUR), SenseReason.REPORTED_LUNS_DATA_HAS_CHANGED);
        assertEquals(ScsiStatus.GOOD, h.run(Harness.B, 0, TUR).status());
        Harness.assertCheck(h.run(Harness.B, 1, TUR), SenseReason.LOGICAL_UNIT_NOT_SUPPORTED);

        // A's REPORT LUNS above showed it the new inventory: told, so the removed LUN is simply absent.
        Harness.assertCheck(h.run(Harness.A, 1, TUR), SenseReason.LOGICAL_UNIT_NOT_SUPPORTED);
        assertEquals(ScsiStatus.GOOD, h.run(Harness.A, 0, TUR).status());
    }

    @Test
    void theRemovedLunItselfDeliversTheChangeToANexusNotYetTold() throws Exception {
        device.removeLun(1, List.of()).get(5, TimeUnit.SECONDS);
        Harness.assertCheck(h.run(Harness.A, 1, TUR), SenseReason.REPORTED_LUNS_DATA_HAS_CHANGED);
        Harness.assertCheck(h.run(Harness.A, 1, TUR), SenseReason.LOGICAL_UNIT_NOT_SUPPORTED);
        assertEquals(ScsiStatus.GOOD, h.run(Harness.A, 0, TUR).status(), "told once, on any LUN");
    }

    @Test
    void removalWaitsForTheTasksInFlightOnThatLun() throws Exception {
        LogicalUnit lu2 = new LogicalUnit(2, new org.vaaitarget.core.store.memory.MemoryBlockStore(512, 2048),
                org.vaaitarget.core.lu.LunLimits.defaults(512), device.lun(1).identity(),
                new org.vaaitarget.core.lu.lock.StripedRangeLockManager());
        device.addLun(lu2, List.of());
        h.clearUa(Harness.A, 2);
        // another holder of the blocks' range lock keeps the WRITE waiting, in flight
        var lock = lu2.locks().acquire(0, 8, org.vaaitarget.core.lu.lock.LockMode.EXCLUSIVE).get();
        var write = device.submit(Harness.command(Harness.A, 2,
                Harness.cdb(0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0), io.netty.buffer.Unpooled.buffer(512).writeZero(512)));
        CompletableFuture<LogicalUnit> removal = device.removeLun(2, List.of());
        assertFalse(removal.isDone(), "the WRITE waiting for its lock is still in flight");
        lock.close();
        Reply r = Harness.await(write);
        assertEquals(ScsiStatus.GOOD, r.status(), "a command in flight finishes normally");
        assertSame(lu2, removal.get(5, TimeUnit.SECONDS));
    }

    @Test
    void anAddedLunIsReportedAndEveryKnownNexusIsTold() {
        device.addLun(Harness.lu(2, Harness.THIN_WRITE_BACK), List.of());
        Harness.assertCheck(h.run(Harness.B, 0, TUR), SenseReason.REPORTED_LUNS_DATA_HAS_CHANGED);
        assertEquals(24, h.run(Harness.B, 0, REPORT_LUNS).u32(0));
        assertEquals(ScsiStatus.GOOD, h.run(Harness.B, 2, TUR).status());
        assertThrows(IllegalArgumentException.class, () -> device.addLun(Harness.lu(2, Harness.THIN_WRITE_BACK), List.of()));
    }

    @Test
    void aNexusNamedByTheTransportIsToldEvenBeforeItsFirstCommand() {
        org.vaaitarget.core.scsi.ItNexus c = new org.vaaitarget.core.scsi.ItNexus("iqn.1998-01.com.vmware:host-c",
                "400001370002", Harness.TARGET, 1);
        device.addLun(Harness.lu(2, Harness.THIN_WRITE_BACK), List.of(c));
        Harness.assertCheck(h.run(c, 0, TUR), SenseReason.REPORTED_LUNS_DATA_HAS_CHANGED);
    }

    @Test
    void aMaskChangeTellsOnlyTheNexusesWhoseViewChanged() {
        device.setMask((nexus, lun) -> lun != 1 || nexus.equals(Harness.A), List.of());
        assertEquals(ScsiStatus.GOOD, h.run(Harness.A, 0, TUR).status(), "A sees the same LUNs");
        Harness.assertCheck(h.run(Harness.B, 0, TUR), SenseReason.REPORTED_LUNS_DATA_HAS_CHANGED);
        assertEquals(8, h.run(Harness.B, 0, REPORT_LUNS).u32(0));
    }

    @Test
    void aGrownLunRaisesCapacityDataHasChangedAndReadCapacityAnswersTheNewSize(@TempDir Path dir) throws Exception {
        LogicalUnit lu = LogicalUnits.open(2, new LunConfig(dir.resolve("grow.img"), 1 << 20, 512,
                LunConfig.WriteCacheMode.WRITE_BACK, "TEST"));
        device.addLun(lu, List.of());
        h.clearUa(Harness.A, 2);
        assertEquals(2047, h.run(Harness.A, 2, READ_CAPACITY_16).u64(0));
        lu.grow(4096).get(5, TimeUnit.SECONDS);
        assertEquals(2L << 20, java.nio.file.Files.size(dir.resolve("grow.img")));
        Harness.assertCheck(h.run(Harness.A, 2, READ_CAPACITY_16), SenseReason.CAPACITY_DATA_HAS_CHANGED);
        assertEquals(4095, h.run(Harness.A, 2, READ_CAPACITY_16).u64(0));

        ExecutionException shrink = assertThrows(ExecutionException.class, () -> lu.grow(100).get(5, TimeUnit.SECONDS));
        assertTrue(String.valueOf(shrink.getCause().getMessage()).contains("cannot shrink"), shrink.getCause().toString());
        assertEquals(ScsiStatus.GOOD, h.run(Harness.A, 2, READ_CAPACITY_16).status(), "no UA for a refused change");
    }
}
