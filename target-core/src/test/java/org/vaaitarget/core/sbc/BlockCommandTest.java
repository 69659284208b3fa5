package org.vaaitarget.core.sbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vaaitarget.core.sbc.SbcFixture.assertCheck;

import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vaaitarget.core.dispatch.Prepared;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.lu.lock.LockMode;
import org.vaaitarget.core.lu.lock.LockRange;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.DataDirection;
import org.vaaitarget.core.scsi.ScsiCommand;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.TaskAttribute;
import org.vaaitarget.core.scsi.sense.SenseReason;

/** The one SBC CDB parser: its fields, and that the first failing check decides the sense. */
class BlockCommandTest {
    private final SbcFixture f = new SbcFixture(512, 100);

    private Task task(byte[] cdb, int dataOut) {
        ScsiCommand cmd = new ScsiCommand(SbcFixture.HOST_A, 0, cdb, dataOut,
                dataOut == 0 ? DataDirection.READ : DataDirection.WRITE, TaskAttribute.SIMPLE, 1,
                dataOut == 0 ? null : Unpooled.buffer(dataOut).writeZero(dataOut), false);
        return new Task(cmd, f.lu, UnpooledByteBufAllocator.DEFAULT);
    }

    private BlockCommand parse(byte[] cdb) {
        return BlockCommand.parse(task(cdb, 0));
    }

    /** Fixed-format sense: the SKSV field pointer (bytes 16-17) and bit pointer (byte 15 bits 2:0, BPV). */
    private static String fieldPointer(CommandResult r) {
        byte[] s = r.sense();
        int bit = (s[15] & 0x08) != 0 ? s[15] & 0x07 : -1;
        return ((s[16] & 0xFF) << 8 | (s[17] & 0xFF)) + "/" + bit;
    }

    @Test
    void readsLbaCountFuaAndDpoPerLayout() {
        BlockCommand ten = parse(Cdb.ten(0x2A, 0x01020304L, 7, 0x18));
        assertEquals(0x01020304L, ten.lba());
        assertEquals(7, ten.blocks());
        assertTrue(ten.fua());
        assertTrue(ten.dpo());
        BlockCommand sixteen = parse(Cdb.sixteen(0x8A, 0x0102030405060708L, 9, 0x08));
        assertEquals(0x0102030405060708L, sixteen.lba());
        assertTrue(sixteen.fua());
        assertFalse(sixteen.dpo());
        // 6-byte CDBs: byte 1 holds LBA bits, not FUA/DPO; a TRANSFER LENGTH of 0 means 256 blocks
        byte[] six = Cdb.rw6(0x0A, 0x18_0000L, 0);
        BlockCommand c6 = parse(six);
        assertEquals(0x18_0000L, c6.lba());
        assertEquals(256, c6.blocks());
        assertFalse(c6.fua());
        assertFalse(c6.dpo());
        assertEquals(13, BlockCommand.parse(task(Cdb.caw(5, 13, 0), 0), BlockCdb.COMPARE_AND_WRITE).blocks());
    }

    @Test
    void theFirstFailingCheckDecides() {
        // protect field set AND out of range AND over the limit: the protect field is reported
        CommandResult r = parse(Cdb.ten(0x28, 99, 5, 0x20)).protect().inRange().atMost(1).result();
        assertCheck(r, SenseReason.INVALID_FIELD_IN_CDB);
        assertEquals("1/7", fieldPointer(r));
        // in the other order, the range
        assertCheck(parse(Cdb.ten(0x28, 99, 5, 0x20)).inRange().protect().result(), SenseReason.LBA_OUT_OF_RANGE);
        // the limit points at the layout's length field
        assertEquals("7/-1", fieldPointer(parse(Cdb.ten(0x28, 0, 5, 0)).inRange().atMost(4).result()));
        assertEquals("13/-1", fieldPointer(BlockCommand.parse(task(Cdb.caw(0, 5, 0), 0), BlockCdb.COMPARE_AND_WRITE)
                .atMost(4).result()));
        // a 6-byte CDB has no protect field: byte 1 bits 7:5 are not checked
        assertNull(parse(new byte[] {0x08, (byte) 0xE0, 0, 0, 1, 0}).protect().result());
    }

    @Test
    void zeroBlocksAreGoodOrTheRestOfTheMedium() {
        CommandResult empty = parse(Cdb.ten(0x28, 100, 0, 0)).inRange().goodIfEmpty().atMost(0).result();
        assertEquals(ScsiStatus.GOOD, empty.status(), "0 blocks at the capacity: in range, nothing to do");
        BlockCommand rest = parse(Cdb.ten(0x35, 10, 0, 0)).inRangeZeroToEnd();
        assertNull(rest.result());
        assertEquals(90, rest.blocks());
        assertCheck(parse(Cdb.ten(0x35, 100, 0, 0)).inRangeZeroToEnd().result(), SenseReason.LBA_OUT_OF_RANGE);
        assertCheck(parse(Cdb.ten(0x35, 95, 6, 0)).inRangeZeroToEnd().result(), SenseReason.LBA_OUT_OF_RANGE);
    }

    @Test
    void aDataOutOfTheWrongSizeIsInvalidFieldInCommandInformationUnitWithTheExpectedLength() {
        CommandResult r = BlockCommand.parse(task(Cdb.ten(0x2A, 0, 2, 0), 512)).dataOutExactly(1024).result();
        assertCheck(r, SenseReason.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT);
        assertEquals(1024, r.transferLength());
        assertNull(BlockCommand.parse(task(Cdb.ten(0x2F, 0, 2, 0), 512)).dataOutAtLeast(512).result());
    }

    @Test
    void aPassedCommandAsksForItsRange() {
        Prepared<BlockCommand> p = parse(Cdb.ten(0x28, 4, 3, 0)).protect().inRange().lock(LockMode.SHARED);
        assertNull(p.result());
        assertEquals(List.of(new LockRange(4, 3, LockMode.SHARED)), p.ranges());
        Prepared<BlockCommand> failed = parse(Cdb.ten(0x28, 99, 3, 0)).inRange().lock(LockMode.SHARED);
        assertCheck(failed.result(), SenseReason.LBA_OUT_OF_RANGE);
        assertTrue(failed.ranges().isEmpty());
    }
}
