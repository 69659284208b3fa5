package org.vaaitarget.core.sbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.sense.SenseReason;

class ReadDefectDataHandlerTest {
    private final SbcFixture f = new SbcFixture(512, 1024);

    @Test
    void tenReturnsAnEmptyListInTheRequestedFormat() {
        // REQ_PLIST=1, REQ_GLIST=1, format 101b (physical sector), allocation 32
        CommandResult r = f.run(new byte[] {0x37, 0, 0x1D, 0, 0, 0, 0, 0, 32, 0});
        assertEquals(ScsiStatus.GOOD, r.status());
        assertArrayEquals(new byte[] {0, 0x1D, 0, 0}, SbcFixture.drain(r));
    }

    @Test
    void twelveHasAnEightByteHeaderAndHonoursTheAllocationLength() {
        CommandResult r = f.run(new byte[] {(byte) 0xB7, 0x0B, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0});
        assertEquals(ScsiStatus.GOOD, r.status());
        assertArrayEquals(new byte[] {0, 0x0B, 0, 0, 0, 0, 0, 0}, SbcFixture.drain(r));
        CommandResult cut = f.run(new byte[] {(byte) 0xB7, 0x0B, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0});
        assertEquals(3, SbcFixture.drain(cut).length);
    }

    @Test
    void reservedFormatIsRefused() {
        SbcFixture.assertCheck(f.run(new byte[] {0x37, 0, 0x07, 0, 0, 0, 0, 0, 32, 0}), SenseReason.INVALID_FIELD_IN_CDB);
    }
}
