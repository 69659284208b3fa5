package org.vaaitarget.core.spc.xcopy;

import static org.vaaitarget.core.dispatch.ParameterData.put16;
import static org.vaaitarget.core.dispatch.ParameterData.put32;

import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.dispatch.AbstractCommandHandler;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.dispatch.ParameterData;

/**
 * RECEIVE COPY RESULTS (84h, SPC-4 6.18) for LID1 copies: COPY STATUS (00h), OPERATING PARAMETERS
 * (03h) and FAILED SEGMENT DETAILS (04h). RECEIVE DATA (01h) is not served: no segment type we
 * implement holds data.
 *
 * <p>A LIST IDENTIFIER this nexus has no held result for is INVALID FIELD IN CDB (byte 2; libiscsi
 * ReceiveCopyResults.CopyStatus). A completed copy's status is discarded once reported: a good one by
 * COPY STATUS, a failed one by FAILED SEGMENT DETAILS (see {@link CopyRecords}).
 */
public final class ReceiveCopyResultsHandler extends AbstractCommandHandler {
    static final int OPCODE = 0x84;
    static final int SA_COPY_STATUS = 0x00;
    static final int SA_OPERATING_PARAMETERS = 0x03;
    static final int SA_FAILED_SEGMENT_DETAILS = 0x04;
    /** Served service actions, ascending (the Third-party Copy VPD page lists these). */
    static final int[] SERVICE_ACTIONS = {SA_COPY_STATUS, SA_OPERATING_PARAMETERS, SA_FAILED_SEGMENT_DETAILS};

    private final CopyLimits limits;
    private final CopyRecords records;

    ReceiveCopyResultsHandler(CopyLimits limits, CopyRecords records) {
        this.limits = limits;
        this.records = records;
    }

    /** @return on GOOD a result whose Data-In buffer the receiver releases */
    @Override
    public CompletionStage<CommandResult> execute(Task task) {
        byte[] cdb = task.cdb();
        int sa = cdb[1] & 0x1F;
        int listId = ParameterData.u8(cdb, 2);
        long allocation = ParameterData.u32(cdb, 10);
        if (sa == SA_OPERATING_PARAMETERS) {
            return ParameterData.dataIn(task, CopyManagerPages.operatingParameters(limits), allocation);
        }
        CopyRecord r = records.find(task.nexus(), listId);
        if (r == null) {
            return ParameterData.done(task.invalidCdbField(2, -1));
        }
        byte[] data = sa == SA_COPY_STATUS ? copyStatus(task, r) : failedSegmentDetails(task, r);
        return ParameterData.dataIn(task, data, allocation);
    }

    /** COPY STATUS (SPC-4 6.18.3): 12 bytes; TRANSFER COUNT in bytes (units 00h). */
    private byte[] copyStatus(Task task, CopyRecord r) {
        CopyRecord.State state = r.state();
        byte[] d = new byte[12];
        put32(d, 0, 8);
        d[4] = (byte) state.code;
        put16(d, 5, r.segmentsProcessed());
        d[7] = 0x00;
        put32(d, 8, Math.min(0xFFFF_FFFFL, r.bytes()));
        if (state == CopyRecord.State.COMPLETED_GOOD) {
            records.discard(task.nexus(), r);
        }
        return d;
    }

    /**
     * FAILED SEGMENT DETAILS (SPC-4 6.18.5): while the copy runs only AVAILABLE DATA = 0; afterwards
     * 60 bytes plus the sense data, with the copy's final status at byte 56.
     */
    private byte[] failedSegmentDetails(Task task, CopyRecord r) {
        ScsiStatus status = r.status();
        if (status == null) {
            return new byte[4];
        }
        byte[] sense = r.sense();
        byte[] d = new byte[60 + sense.length];
        put32(d, 0, d.length - 4);
        d[56] = (byte) status.code();
        put16(d, 58, sense.length);
        System.arraycopy(sense, 0, d, 60, sense.length);
        records.discard(task.nexus(), r);
        return d;
    }
}
