package org.vaaitarget.server.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.vaaitarget.core.dispatch.TargetDevice;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.lu.LunIdentity;
import org.vaaitarget.core.lu.LunLimits;
import org.vaaitarget.core.lu.lock.StripedRangeLockManager;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.DataDirection;
import org.vaaitarget.core.scsi.ItNexus;
import org.vaaitarget.core.scsi.ScsiCommand;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.TaskAttribute;
import org.vaaitarget.core.store.memory.MemoryBlockStore;
import org.vaaitarget.core.assembly.StandardDevice;

/**
 * Arbitrary CDBs (plus a small Data-Out) submitted to a {@link TargetDevice} with a memory LU. Every
 * outcome must be a {@link CommandResult} with a status, and for CHECK CONDITION sense data with a
 * valid response code and sense key; never an exception, never a stuck task, never a Data-Out buffer
 * or range lock left behind.
 */
class CdbFuzzTest {
    private static final int BLOCKS = 4096;
    private static final ItNexus NEXUS = new ItNexus("iqn.2026-11.org.example:fuzzer", "00023d000001",
            "iqn.2026-11.org.vaaitarget:fuzz", 1);
    private static final StripedRangeLockManager LOCKS = new StripedRangeLockManager(8, 64);
    private static final TargetDevice DEVICE = StandardDevice.of("iqn.2026-11.org.vaaitarget:fuzz",
            List.of(new LogicalUnit(0, new MemoryBlockStore(512, BLOCKS), LunLimits.defaults(512), identity(), LOCKS)));
    private static final DataDirection[] DIRECTIONS = DataDirection.values();
    private static final TaskAttribute[] ATTRIBUTES = TaskAttribute.values();
    private static long tag;

    private static LunIdentity identity() {
        byte[] naa = new byte[16];
        naa[0] = 0x60;
        naa[15] = 7;
        return new LunIdentity(naa, "FUZZ0001", "VAAITGT", "vaai-target", "0001");
    }

    @FuzzTest(maxDuration = "5m")
    void everyCdbGetsAValidResult(FuzzedDataProvider data) throws Exception {
        long lun = data.consumeInt(0, 9) == 0 ? data.consumeLong() : 0;
        DataDirection direction = DIRECTIONS[data.consumeInt(0, DIRECTIONS.length - 1)];
        TaskAttribute attribute = ATTRIBUTES[data.consumeInt(0, ATTRIBUTES.length - 1)];
        byte[] cdb = data.consumeBytes(data.consumeInt(1, 32));
        if (cdb.length == 0) {
            cdb = new byte[] {0};
        }
        ByteBuf dataOut = null;
        int edtl;
        if (direction == DataDirection.WRITE) {
            byte[] bytes = data.consumeBytes(data.consumeInt(0, 8192));
            // as the transport does: no Data-Out buffer for EDTL 0 (an empty wrapped buffer would be
            // Unpooled.EMPTY_BUFFER, whose reference count never drops)
            dataOut = bytes.length == 0 ? null : Unpooled.wrappedBuffer(bytes);
            edtl = bytes.length;
        } else {
            edtl = data.consumeInt(0, 1 << 20);
        }
        ScsiCommand command = new ScsiCommand(NEXUS, lun, cdb, edtl, direction, attribute, ++tag, dataOut);
        CommandResult result = DEVICE.submit(command).result().toCompletableFuture().get(30, TimeUnit.SECONDS);
        try {
            assertNotNull(result, "a result");
            assertNotNull(result.status(), "a status");
            assertTrue(result.transferLength() >= -1, "transfer length (-1: unknown)");
            if (result.status() == ScsiStatus.CHECK_CONDITION) {
                byte[] sense = result.sense();
                assertNotNull(sense, "CHECK CONDITION carries sense");
                assertTrue(sense.length >= 8, "sense length");
                int code = sense[0] & 0x7F;
                assertTrue(code >= 0x70 && code <= 0x73, "sense response code " + Integer.toHexString(code));
            }
        } finally {
            if (result != null && result.dataIn() != null) {
                result.dataIn().release();
            }
        }
        if (dataOut != null) {
            assertEquals(0, dataOut.refCnt(), "the core released the Data-Out");
        }
        assertEquals(0, LOCKS.outstanding(), "no range lock left behind");
    }
}
