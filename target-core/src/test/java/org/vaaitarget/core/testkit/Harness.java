package org.vaaitarget.core.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.vaaitarget.core.dispatch.CommandHandler;
import org.vaaitarget.core.dispatch.CommandSpec;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.dispatch.TargetDevice;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.lu.LunIdentity;
import org.vaaitarget.core.lu.LunLimits;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.DataDirection;
import org.vaaitarget.core.scsi.ItNexus;
import org.vaaitarget.core.scsi.LunAddress;
import org.vaaitarget.core.scsi.ScsiCommand;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.TaskAttribute;
import org.vaaitarget.core.scsi.TaskHandle;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.lu.pr.ReservationState;
import org.vaaitarget.core.store.StoreCapabilities;
import org.vaaitarget.core.assembly.StandardDevice;

/** Builds LUs and a TargetDevice and drives commands through {@link TargetDevice#submit}. */
public final class Harness {
    public static final String TARGET = "iqn.2024-01.org.vaaitarget:test";
    public static final ItNexus A = new ItNexus("iqn.1998-01.com.vmware:host-a", "400001370000", TARGET, 1);
    public static final ItNexus B = new ItNexus("iqn.1998-01.com.vmware:host-b", "400001370001", TARGET, 2);
    public static final StoreCapabilities THIN_WRITE_BACK = new StoreCapabilities(true, true, true, true);
    public static final StoreCapabilities THICK_WRITE_THROUGH = new StoreCapabilities(false, false, false, false);

    public final TargetDevice device;
    private final List<ByteBuf> dataOuts = new ArrayList<>();

    public Harness(TargetDevice device) {
        this.device = device;
    }

    /** The standard handlers on one file-backed LU (LUN 0) opened as the server opens it. */
    public static Harness onFile(org.vaaitarget.core.config.LunConfig config) throws java.io.IOException {
        LogicalUnit lu = org.vaaitarget.core.assembly.LogicalUnits.open(0, config);
        return new Harness(StandardDevice.of(TARGET, List.of(lu)));
    }

    public static LogicalUnit lu(int number, StoreCapabilities caps) {
        return new LogicalUnit(number, new TestStore(512, 1 << 20, caps), LunLimits.defaults(512), identity(number),
                new ImmediateLocks());
    }

    /** A LU with a removable medium (INQUIRY RMB=1). */
    public static LogicalUnit removableLu(int number, StoreCapabilities caps) {
        return new LogicalUnit(number, new TestStore(512, 1 << 20, caps), LunLimits.defaults(512), identity(number),
                new ImmediateLocks(), new ReservationState(), 0, true);
    }

    /** A LU served by several gateways (implicit ALUA) with the given port groups. */
    public static LogicalUnit aluaLu(int number, org.vaaitarget.core.lu.TargetPortGroups groups) {
        return new LogicalUnit(number, new TestStore(512, 1 << 20, THIN_WRITE_BACK), LunLimits.defaults(512),
                identity(number), new ImmediateLocks(), new ReservationState(), 0, false, new org.vaaitarget.core.lu.Gateways() {
                    @Override
                    public org.vaaitarget.core.lu.TargetPortGroups portGroups() {
                        return groups;
                    }

                    @Override
                    public java.util.concurrent.CompletionStage<Void> announceReset() {
                        return java.util.concurrent.CompletableFuture.completedFuture(null);
                    }
                });
    }

    private static LunIdentity identity(int number) {
        byte[] naa = new byte[16];
        naa[0] = 0x60;
        naa[1] = 0x01;
        naa[15] = (byte) number;
        return new LunIdentity(naa, "SER" + number, "VAAITGT", "FILEDISK", "0001");
    }

    public static Harness of(List<LogicalUnit> luns, List<CommandHandler> handlers) {
        return new Harness(new TargetDevice(TARGET, luns, handlers));
    }

    public static ScsiCommand command(ItNexus nexus, int lun, byte[] cdb, ByteBuf dataOut) {
        return new ScsiCommand(nexus, LunAddress.encode(lun), cdb, dataOut == null ? 255 : dataOut.readableBytes(),
                dataOut == null ? DataDirection.READ : DataDirection.WRITE, TaskAttribute.SIMPLE, 1, dataOut);
    }

    /** A handler serving {@code specs} that answers GOOD without data (a command added by a test). */
    public static CommandHandler goodHandler(CommandSpec... specs) {
        return new CommandHandler() {
            @Override
            public List<CommandSpec> commands() {
                return List.of(specs);
            }

            @Override
            public CompletionStage<CommandResult> execute(Task task) {
                return CompletableFuture.completedFuture(CommandResult.good(0));
            }
        };
    }

    public static byte[] cdb(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return b;
    }

    /** An UNMAP parameter list (SBC-4 5.32.2) of (lba, blocks) pairs. */
    public static byte[] unmapList(long... lbaBlocks) {
        int n = lbaBlocks.length / 2;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + 16 * n);
        b.putShort((short) (6 + 16 * n)).putShort((short) (16 * n)).putInt(0);
        for (int i = 0; i < n; i++) {
            b.putLong(lbaBlocks[2 * i]).putInt((int) lbaBlocks[2 * i + 1]).putInt(0);
        }
        return b.array();
    }

    /** Runs a command without Data-Out. */
    public Reply run(ItNexus nexus, int lun, int... cdb) {
        return run(nexus, lun, cdb(cdb), null);
    }

    /**
     * Runs a command; {@code dataOut} (may be null) is handed to the core, and the harness keeps an
     * extra reference to check that the core released it exactly once ({@link #assertDataOutReleasedOnce}).
     */
    public Reply run(ItNexus nexus, int lun, byte[] cdb, byte[] dataOut) {
        ByteBuf out = null;
        if (dataOut != null) {
            out = Unpooled.buffer(dataOut.length).writeBytes(dataOut);
            out.retain();
            dataOuts.add(out);
        }
        TaskHandle h = device.submit(command(nexus, lun, cdb, out));
        return await(h);
    }

    public static Reply await(TaskHandle h) {
        try {
            return toReply(h.result().toCompletableFuture().get(30, TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Copies and releases the Data-In. */
    public static Reply toReply(CommandResult r) {
        byte[] data = new byte[0];
        if (r.dataIn() != null) {
            data = new byte[r.dataIn().readableBytes()];
            r.dataIn().getBytes(r.dataIn().readerIndex(), data);
            r.dataIn().release();
        }
        return new Reply(r.status(), r.sense(), data, r.transferLength(), r.aborted());
    }

    /** Every Data-Out handed in through {@link #run} was released by the core exactly once. */
    public void assertDataOutReleasedOnce() {
        for (ByteBuf b : dataOuts) {
            assertEquals(1, b.refCnt(), "core must release Data-Out exactly once");
            b.release();
        }
        dataOuts.clear();
    }

    /** Consumes the power-on unit attention of a nexus on a LUN. */
    public void clearUa(ItNexus nexus, int lun) {
        Reply r;
        int guard = 0;
        do {
            r = run(nexus, lun, 0x00, 0, 0, 0, 0, 0);
            assertNotNull(r.status());
        } while (r.status() != ScsiStatus.GOOD && ++guard < 10);
        assertEquals(ScsiStatus.GOOD, r.status());
    }

    public static void assertCheck(Reply r, SenseReason reason) {
        assertEquals(ScsiStatus.CHECK_CONDITION, r.status(), "status");
        assertEquals(reason.key().code(), r.senseKey(), "sense key");
        assertEquals(reason.asc(), r.asc(), "ASC");
        assertEquals(reason.ascq(), r.ascq(), "ASCQ");
    }
}
