package org.vaaitarget.core.spc.xcopy;

import static org.vaaitarget.core.dispatch.CommandSpec.command;
import static org.vaaitarget.core.dispatch.DataAccess.NONE;
import static org.vaaitarget.core.dispatch.DataAccess.WRITE;

import java.util.List;
import org.vaaitarget.core.dispatch.CommandHandler;
import org.vaaitarget.core.dispatch.CommandSpec;
import org.vaaitarget.core.dispatch.CommandSpec.Medium;
import org.vaaitarget.core.dispatch.CommandSpec.PrClass;
import org.vaaitarget.core.dispatch.CommandSpec.Scsi2;

/** The copy manager's handlers (EXTENDED COPY and RECEIVE COPY RESULTS), sharing one state per device. */
public final class XcopyHandlers {
    private XcopyHandlers() {
    }

    /** Fresh handlers with the default limits. */
    public static List<CommandHandler> all() {
        return all(CopyLimits.DEFAULT);
    }

    /**
     * Fresh handlers enforcing and advertising {@code limits}, each with the commands it serves: name, CDB
     * usage map, access, medium, PR class, SCSI-2 class (see {@link CommandSpec}). EXTENDED COPY needs the
     * medium but is not refused by write protection here: it checks its destinations itself.
     */
    public static List<CommandHandler> all(CopyLimits limits) {
        CopyRecords records = new CopyRecords(limits.totalConcurrentCopies());
        return List.of(
                new ExtendedCopyHandler(limits, records).serving(
                        command(ExtendedCopyHandler.SA_LID1, "EXTENDED COPY(LID1)",
                                "83 1F 00 00 00 00 00 00 00 00 FF FF FF FF 00 00",
                                WRITE, Medium.NEEDED, PrClass.WRITE, Scsi2.HELD)),
                new ReceiveCopyResultsHandler(limits, records).serving(
                        command(ReceiveCopyResultsHandler.SA_COPY_STATUS, "RECEIVE COPY STATUS(LID1)",
                                "84 1F FF 00 00 00 00 00 00 00 FF FF FF FF 00 00",
                                NONE, Medium.NOT_NEEDED, PrClass.ALLOWED, Scsi2.HELD),
                        command(ReceiveCopyResultsHandler.SA_OPERATING_PARAMETERS, "RECEIVE COPY OPERATING PARAMETERS",
                                "84 1F 00 00 00 00 00 00 00 00 FF FF FF FF 00 00",
                                NONE, Medium.NOT_NEEDED, PrClass.ALLOWED, Scsi2.HELD),
                        command(ReceiveCopyResultsHandler.SA_FAILED_SEGMENT_DETAILS,
                                "RECEIVE COPY FAILURE DETAILS(LID1)",
                                "84 1F FF 00 00 00 00 00 00 00 FF FF FF FF 00 00",
                                NONE, Medium.NOT_NEEDED, PrClass.ALLOWED, Scsi2.HELD)));
    }
}
