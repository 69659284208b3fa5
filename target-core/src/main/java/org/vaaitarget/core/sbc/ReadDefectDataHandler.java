package org.vaaitarget.core.sbc;

import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.dispatch.AbstractCommandHandler;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.dispatch.ParameterData;

/**
 * READ DEFECT DATA(10) (37h, SBC-4 5.17) and (12) (B7h, SBC-4 5.18): a file has no media defects, so
 * both lists are empty. The header echoes what was asked: PLISTV and GLISTV as REQ_PLIST and REQ_GLIST
 * (the lists asked for are returned, empty), the DEFECT LIST FORMAT asked for, DEFECT LIST LENGTH 0;
 * the (12) header's GENERATION CODE is 0 (not supported). Format 111b is reserved: INVALID FIELD IN CDB.
 */
public final class ReadDefectDataHandler extends AbstractCommandHandler {
    private static final int RDD_12 = 0xB7;
    private static final int LISTS_AND_FORMAT = 0x1F;   // REQ_PLIST, REQ_GLIST, DEFECT LIST FORMAT
    private static final int RESERVED_FORMAT = 0x07;

    @Override
    public CompletionStage<CommandResult> execute(Task task) {
        byte[] cdb = task.cdb();
        boolean twelve = (cdb[0] & 0xFF) == RDD_12;
        int at = twelve ? 1 : 2;
        int asked = cdb[at] & LISTS_AND_FORMAT;
        if ((asked & 0x07) == RESERVED_FORMAT) {
            return SbcHandlers.done(task.invalidCdbField(at, 2));
        }
        byte[] header = new byte[twelve ? 8 : 4];
        header[1] = (byte) asked;                                    // PLISTV, GLISTV, DEFECT LIST FORMAT
        long allocation = twelve ? ParameterData.u32(cdb, 6) : ParameterData.u16(cdb, 7);
        return ParameterData.dataIn(task, header, allocation);
    }
}
