package org.vaaitarget.bench;

import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
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
 * One CDB through the whole SCSI engine without networking: {@link TargetDevice#submit} of a READ(10)
 * on a {@link MemoryBlockStore} (operations complete inline), i.e. handler lookup, execution gates,
 * range lock, store read, result. {@code blocks} is the transfer length in 512-byte blocks.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
public class DispatchBench {
    private static final ItNexus NEXUS = new ItNexus("iqn.2026-11.org.vaaitarget.bench:init", "00023d000001",
            "iqn.2026-11.org.vaaitarget:bench", 1);

    @Param({"8", "256"})
    public int blocks;

    private TargetDevice device;
    private byte[] cdb;
    private long tag;

    @Setup
    public void setUp() {
        MemoryBlockStore store = new MemoryBlockStore(512, 64 * 2048);
        byte[] naa = new byte[16];
        naa[0] = 0x60;
        naa[15] = 1;
        LunIdentity identity = new LunIdentity(naa, "bench0001", "VAAITGT", "vaai-target", "0001");
        LogicalUnit lu = new LogicalUnit(0, store, LunLimits.defaults(512), identity, new StripedRangeLockManager());
        device = StandardDevice.of("iqn.2026-11.org.vaaitarget:bench", List.of(lu));
        cdb = new byte[10];
        cdb[0] = 0x28; // READ(10), LBA 2048
        cdb[4] = 0x08;
        cdb[7] = (byte) (blocks >> 8);
        cdb[8] = (byte) blocks;
        // the first command of a new I_T nexus reports the power-on UNIT ATTENTION (SAM-5 5.14); take it
        for (int i = 0; i < 3; i++) {
            CommandResult r = submitRead();
            if (r.dataIn() != null) {
                r.dataIn().release();
            }
        }
    }

    @TearDown
    public void tearDown() throws Exception {
        device.close();
    }

    private CommandResult submitRead() {
        ScsiCommand cmd = new ScsiCommand(NEXUS, 0, cdb, blocks * 512, DataDirection.READ, TaskAttribute.SIMPLE,
                ++tag, null);
        return device.submit(cmd).result().toCompletableFuture().join();
    }

    @Benchmark
    public long read10() {
        CommandResult r = submitRead();
        if (r.status() != ScsiStatus.GOOD) {
            throw new IllegalStateException("READ(10) answered " + r.status());
        }
        ByteBuf data = r.dataIn();
        int n = data.readableBytes();
        data.release();
        return n;
    }
}
