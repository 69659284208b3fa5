package org.vaaitarget.core.scsi;

import java.util.concurrent.CompletionStage;

/**
 * The one entry point a transport uses to reach a SCSI target device: submit tasks, run task
 * management functions, report nexus loss. Implemented by the core ({@code dispatch} package).
 * Thread-safe; may be called from any thread; never blocks the caller.
 */
public interface ScsiTaskRouter {

    /**
     * Prepares and executes one task. Ownership of {@code command.dataOut()} moves to the core.
     */
    TaskHandle submit(ScsiCommand command);

    /**
     * LOGICAL UNIT RESET (SAM-5 7.7): aborts every task on the LU from every nexus, clears SCSI-2
     * reservations, raises BUS DEVICE RESET FUNCTION OCCURRED for every nexus. Completes when all
     * aborted tasks have finished.
     */
    CompletionStage<TaskManagementResponse> logicalUnitReset(ItNexus from, long lun);

    /**
     * TARGET WARM/COLD RESET: a logical unit reset of every LU of the target.
     */
    CompletionStage<TaskManagementResponse> targetReset(ItNexus from);

    /**
     * ABORT TASK SET / CLEAR TASK SET bookkeeping on the core side (unit attentions for other nexuses when
     * tasks of theirs are cleared; SAM-5 7.3). The transport aborts its own tasks through their handles.
     */
    CompletionStage<TaskManagementResponse> clearTaskSet(ItNexus from, long lun);

    /** I_T nexus loss (SAM-5 6.3.4): connection gone for good. Releases SCSI-2 reservations held by it. */
    void nexusLost(ItNexus nexus);

    /**
     * {@link #nexusLost}, completing once its effects hold everywhere (a SCSI-2 reservation kept in a cluster for
     * several gateways is released there): a logout is answered after this, so that the initiator's next login, on
     * any gateway, finds the reservation gone.
     */
    default CompletionStage<Void> endNexus(ItNexus nexus) {
        nexusLost(nexus);
        return java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    /** Whether a LUN exists for this nexus (TMF answers LUN DOES NOT EXIST otherwise). */
    boolean hasLun(ItNexus nexus, long lun);
}
