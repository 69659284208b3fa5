package org.vaaitarget.core.sbc;

import org.vaaitarget.core.dispatch.Prepared;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.lu.lock.LockMode;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.sense.SenseReason;

/**
 * The one parser of the SBC-4 block commands' CDB fields (LBA, block count, FUA, DPO, the protect field) and
 * of their common checks, each with its sense. A handler's prepare states its checks in the order its
 * command needs them; the first that fails decides the result and the later ones do nothing:
 * <pre>
 *   BlockCommand c = BlockCommand.parse(task, layout).protect().inRange().goodIfEmpty().atMostTransfer();
 *   return c.lock(LockMode.SHARED);     // the failure, GOOD, or the range to lock and c
 * </pre>
 * The gate checked the CDB length against the command table first (ExecutionGates step 4), so every field
 * of the layout is there.
 */
final class BlockCommand {
    private static final int FUA = 0x08;
    private static final int DPO = 0x10;

    private final Task task;
    private final byte[] cdb;
    private final BlockCdb layout;
    private final long lba;
    private long blocks;
    private CommandResult result;

    private BlockCommand(Task task, BlockCdb layout) {
        this.task = task;
        this.cdb = task.cdb();
        this.layout = layout;
        this.lba = layout.lba(cdb);
        this.blocks = layout.blocks(cdb);
    }

    /** The READ/WRITE/VERIFY family layout of the opcode's length (its group code). */
    static BlockCommand parse(Task task) {
        return parse(task, BlockCdb.of(task.cdb()));
    }

    /** A command with its own layout (COMPARE AND WRITE, WRITE ATOMIC). */
    static BlockCommand parse(Task task, BlockCdb layout) {
        return new BlockCommand(task, layout);
    }

    /** RDPROTECT/WRPROTECT/VRPROTECT/ORPROTECT (byte 1 bits 7:5, not in 6-byte CDBs) must be 000b: no protection information. */
    BlockCommand protect() {
        return invalidIf(layout != BlockCdb.SIX && Cdbs.protectField(cdb) != 0, 1, 7);
    }

    /** INVALID FIELD IN CDB at byte {@code byteIndex}, bit {@code bit} (or -1) when {@code invalid}. */
    BlockCommand invalidIf(boolean invalid, int byteIndex, int bit) {
        if (result == null && invalid) {
            result = task.invalidCdbField(byteIndex, bit);
        }
        return this;
    }

    /** LOGICAL BLOCK ADDRESS OUT OF RANGE unless [lba, lba + blocks) lies on the medium (also for 0 blocks). */
    BlockCommand inRange() {
        if (result == null && !Cdbs.inRange(task.lu(), lba, blocks)) {
            result = task.check(SenseReason.LBA_OUT_OF_RANGE);
        }
        return this;
    }

    /**
     * Like {@link #inRange}, where 0 blocks means "from the LBA to the last one" (SYNCHRONIZE CACHE, PRE-FETCH,
     * WRITE SAME with WSNZ=0): the LBA itself must then be on the medium, and the count becomes that rest.
     */
    BlockCommand inRangeZeroToEnd() {
        if (result != null || blocks != 0) {
            return inRange();
        }
        long count = task.lu().blockCount();
        if (lba < 0 || lba >= count) {
            result = task.check(SenseReason.LBA_OUT_OF_RANGE);
        } else {
            blocks = count - lba;
        }
        return this;
    }

    /** GOOD without data for zero blocks (SBC-4: a zero length is not an error; nothing is transferred). */
    BlockCommand goodIfEmpty() {
        return goodIf(blocks == 0);
    }

    /** GOOD without data when {@code nothingToDo}. */
    BlockCommand goodIf(boolean nothingToDo) {
        if (result == null && nothingToDo) {
            result = CommandResult.good(0);
        }
        return this;
    }

    /** INVALID FIELD IN CDB at the length field when the count exceeds {@code max} blocks. */
    BlockCommand atMost(long max) {
        return invalidIf(blocks > max, layout.lenOffset(), -1);
    }

    /** {@link #atMost} the LU's MAXIMUM TRANSFER LENGTH. */
    BlockCommand atMostTransfer() {
        return atMost(task.lu().limits().maxTransferBlocks());
    }

    /**
     * The Data-Out must hold exactly {@code bytes}: otherwise ILLEGAL REQUEST / INVALID FIELD IN COMMAND
     * INFORMATION UNIT (FCP-4 9.4.2 b), nothing written; the transfer length lets the transport add the residual.
     */
    BlockCommand dataOutExactly(long bytes) {
        return dataOutFailsIf(task.command().dataOutLength() != bytes, bytes);
    }

    /** Like {@link #dataOutExactly}, for a Data-Out that must hold at least {@code bytes}. */
    BlockCommand dataOutAtLeast(long bytes) {
        return dataOutFailsIf(task.command().dataOutLength() < bytes, bytes);
    }

    private BlockCommand dataOutFailsIf(boolean fails, long bytes) {
        if (result == null && fails) {
            result = SbcHandlers.dataOutMismatch(task, bytes);
        }
        return this;
    }

    /** Whether a check has decided the result. */
    boolean decided() {
        return result != null;
    }

    /** The result a check decided, or null. */
    CommandResult result() {
        return result;
    }

    /** The decided result, or {@code [lba, lba + blocks)} to lock in {@code mode} and this command to execute. */
    Prepared<BlockCommand> lock(LockMode mode) {
        return result != null ? Prepared.done(result) : Prepared.locking(this, lba, blocks, mode);
    }

    /** The decided result, or this command to execute without a range lock. */
    Prepared<BlockCommand> unlocked() {
        return result != null ? Prepared.done(result) : Prepared.unlocked(this);
    }

    byte[] cdb() {
        return cdb;
    }

    int opcode() {
        return cdb[0] & 0xFF;
    }

    BlockCdb layout() {
        return layout;
    }

    /** The LBA (unsigned: a 16-byte CDB's 2^63 and above come back negative, and fail {@link #inRange}). */
    long lba() {
        return lba;
    }

    /** The block count, after {@link #inRangeZeroToEnd} resolved a 0. */
    long blocks() {
        return blocks;
    }

    /** The count as an int, for a command that passed a limit check (all limits are below 2^31 blocks). */
    int n() {
        return (int) blocks;
    }

    /** FUA (byte 1 bit 3; 6-byte CDBs have none). */
    boolean fua() {
        return layout != BlockCdb.SIX && (cdb[1] & FUA) != 0;
    }

    /** DPO (byte 1 bit 4; 6-byte CDBs have none). Accepted and ignored: the store has no cache of its own. */
    boolean dpo() {
        return layout != BlockCdb.SIX && (cdb[1] & DPO) != 0;
    }
}
