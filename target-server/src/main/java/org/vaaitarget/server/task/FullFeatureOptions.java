package org.vaaitarget.server.task;

import org.vaaitarget.core.scsi.TaskManagementResponse;
import org.vaaitarget.server.session.AbortFinishedTask;

/**
 * Tunables of the Full Feature Phase that the negotiated parameters do not cover.
 *
 * @param maxWriteLength      the largest EDTL accepted for a Data-Out command, in bytes. A larger
 *                            EDTL gets CHECK CONDITION / INVALID FIELD IN COMMAND INFORMATION UNIT
 *                            (after its unsolicited data has been consumed), so that no single
 *                            command can make the target buffer more than this. Keep it at least
 *                            the Block Limits MAXIMUM TRANSFER LENGTH the LUNs advertise.
 * @param abortOfFinishedTask answer to ABORT TASK when the referenced task is not (or no longer)
 *                            known and RFC 7143 11.5.1 rule (b) does not apply. RFC 7143 11.5.1 (c)
 *                            and libiscsi's iSCSITMF.AbortTaskSimpleAsync want TASK DOES NOT EXIST;
 *                            ESXi escalates to LUN resets on it (ESXI-NOTES 2.7.4, SCST README). The
 *                            target's {@link AbortFinishedTask} setting decides; by default the spec
 *                            and the conformance suite win, VMware initiators get FUNCTION COMPLETE
 *                            ({@link #forInitiator}).
 * @param logoutGraceSeconds  how long Logout and server shutdown wait for running tasks before
 *                            aborting them; also Parameter3 of the "target requests logout" Async
 *                            Message
 */
public record FullFeatureOptions(int maxWriteLength, TaskManagementResponse abortOfFinishedTask,
                                 int logoutGraceSeconds) {

    public static final int DEFAULT_MAX_WRITE_LENGTH = 16 * 1024 * 1024;

    /** RFC 7143 behaviour: TASK DOES NOT EXIST for an ABORT TASK of a task that already finished. */
    public static FullFeatureOptions defaults() {
        return new FullFeatureOptions(DEFAULT_MAX_WRITE_LENGTH, TaskManagementResponse.TASK_DOES_NOT_EXIST, 10);
    }

    /**
     * The defaults for one initiator: ESXi gets FUNCTION COMPLETE for an ABORT TASK of a finished task
     * (the answer SCST gives VMware; TASK DOES NOT EXIST makes ESXi escalate to resets), everybody else
     * gets the RFC 7143 11.5.1 (c) answer, which libiscsi's iSCSITMF tests check.
     */
    public static FullFeatureOptions forInitiator(String initiatorName) {
        return forInitiator(AbortFinishedTask.AUTO, initiatorName);
    }

    /** The defaults for one initiator of a target whose configuration chose {@code abortFinishedTask}. */
    public static FullFeatureOptions forInitiator(AbortFinishedTask abortFinishedTask, String initiatorName) {
        FullFeatureOptions d = defaults();
        if (abortFinishedTask.functionCompleteFor(initiatorName)) {
            return new FullFeatureOptions(d.maxWriteLength(), TaskManagementResponse.FUNCTION_COMPLETE,
                    d.logoutGraceSeconds());
        }
        return d;
    }
}
