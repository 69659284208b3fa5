package org.vaaitarget.core.spc;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.dispatch.AbstractCommandHandler;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.LunAddress;
import org.vaaitarget.core.dispatch.ParameterData;

/**
 * REPORT LUNS (SPC-5 6.33), served for any LUN of the target. SELECT REPORT 00h and 02h list every
 * logical unit (this target has no well-known LUs and no LU hierarchy), 01h lists the well-known LUs
 * (none); other values are INVALID FIELD IN CDB. An ALLOCATION LENGTH below 16 is INVALID FIELD IN
 * CDB (SPC-3 6.21 and the SPC-5 note on it: the header plus one LUN must fit); larger values truncate.
 */
public final class ReportLunsHandler extends AbstractCommandHandler {
    private static final int SELECT_ALL_NON_WELL_KNOWN = 0x00;
    private static final int SELECT_WELL_KNOWN = 0x01;
    private static final int SELECT_ALL = 0x02;

    @Override
    public CompletionStage<CommandResult> execute(Task task) {
        byte[] cdb = task.cdb();
        int select = ParameterData.u8(cdb, 2);
        long allocation = ParameterData.u32(cdb, 6);
        if (select != SELECT_ALL_NON_WELL_KNOWN && select != SELECT_WELL_KNOWN && select != SELECT_ALL) {
            return ParameterData.done(task.invalidCdbField(2, -1));
        }
        if (allocation < 16) {
            return ParameterData.done(task.invalidCdbField(6, -1));
        }
        List<LogicalUnit> luns = select == SELECT_WELL_KNOWN || task.context() == null
                ? List.of() : task.context().luns(task.nexus());
        byte[] data = new byte[8 + 8 * luns.size()];
        ParameterData.put32(data, 0, 8L * luns.size());
        int p = 8;
        for (LogicalUnit lu : luns) {
            ParameterData.put64(data, p, LunAddress.encode(lu.number()));
            p += 8;
        }
        return ParameterData.dataIn(task, data, allocation);
    }
}
