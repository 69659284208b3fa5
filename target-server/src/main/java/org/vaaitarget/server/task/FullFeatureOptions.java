package org.vaaitarget.server.task;

import org.vaaitarget.core.scsi.TaskManagementResponse;

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
 *                            ESXi escalates to LUN resets on it (ESXI-NOTES 2.7.4, SCST README), so
 *                            the default is FUNCTION COMPLETE.
 * @param logoutGraceSeconds  how long Logout and server shutdown wait for running tasks before
 *                            aborting them; also Parameter3 of the "target requests logout" Async
 *                            Message
 */
public record FullFeatureOptions(int maxWriteLength, TaskManagementResponse abortOfFinishedTask,
                                 int logoutGraceSeconds) {

    public static final int DEFAULT_MAX_WRITE_LENGTH = 16 * 1024 * 1024;

    public static FullFeatureOptions defaults() {
        return new FullFeatureOptions(DEFAULT_MAX_WRITE_LENGTH, TaskManagementResponse.FUNCTION_COMPLETE, 10);
    }
}
