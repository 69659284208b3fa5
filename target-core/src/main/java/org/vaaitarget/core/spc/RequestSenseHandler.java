package org.vaaitarget.core.spc;

import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.dispatch.AbstractCommandHandler;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.sense.SenseData;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.dispatch.ParameterData;

/**
 * REQUEST SENSE (SPC-5 6.39): returns, as parameter data with GOOD status, the oldest unit attention
 * pending for this I_T nexus (consuming it, SAM-5 5.14) or NO SENSE. DESC=1 asks for descriptor
 * format, DESC=0 for fixed format. For a LUN that does not exist the data reports ILLEGAL REQUEST /
 * LOGICAL UNIT NOT SUPPORTED (SPC-5 6.39: "incorrect logical unit").
 */
public final class RequestSenseHandler extends AbstractCommandHandler {
    @Override
    public CompletionStage<CommandResult> execute(Task task) {
        byte[] cdb = task.cdb();
        boolean descriptor = (cdb[1] & 0x01) != 0;
        int allocation = ParameterData.u8(cdb, 4);
        SenseData sense;
        if (task.lu() == null) {
            sense = SenseData.of(SenseReason.LOGICAL_UNIT_NOT_SUPPORTED);
        } else if (task.context() != null && task.context().takeInventoryChange(task.nexus())) {
            sense = SenseData.of(SenseReason.REPORTED_LUNS_DATA_HAS_CHANGED);
        } else {
            SenseReason ua = task.lu().unitAttentions().poll(task.nexus());
            if (ua != null) {
                sense = SenseData.of(ua);
            } else if (task.lu().sanitizer().inProgress()) {
                // SBC-4 4.11.3: REQUEST SENSE reports the sanitize with its progress indication.
                sense = SenseData.withProgress(SenseReason.LOGICAL_UNIT_NOT_READY_SANITIZE_IN_PROGRESS,
                        task.lu().sanitizer().progress());
            } else {
                sense = SenseData.of(SenseReason.NO_ADDITIONAL_SENSE_INFORMATION);
            }
        }
        return ParameterData.dataIn(task, sense.encode(descriptor), allocation);
    }
}
