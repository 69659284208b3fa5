package org.vaaitarget.core.scsi;

import java.util.concurrent.CompletionStage;

/**
 * The one entry point a transport uses to reach a SCSI target device: submit tasks, run task
 * management functions, report nexus loss. Implemented by the core ({@code dispatch} package).
 * Thread-safe; may be called from any thread; never blocks the caller.
 */
public interface ScsiTaskRouter {

    /**
     * Prepares and executes one task. Ownership of {@code command.dataOut()} moves to the core when a
     * handle is returned; if submit throws instead (a bug), the core did not take it and the caller
     * still releases it.
     */
    TaskHandle submit(ScsiCommand command);

    /**
     * LOGICAL UNIT RESET (SAM-5 7.7): aborts every task on the LU from every nexus, clears SCSI-2
     * reservations, raises BUS DEVICE RESET FUNCTION OCCURRED for every nexus. Completes when all
     * aborted tasks have finished.
     */
    CompletionStage<TaskManagementResponse> logicalUnitReset(ItNexus from, long lun);

    /**
     * TARGET WARM/COLD RESET: a logical unit reset of every LU of the target that {@code from} may see
     * (LUN masking: a host cannot reset LUs hidden from it).
     */
    CompletionStage<TaskManagementResponse> targetReset(ItNexus from);

    /**
     * CLEAR TASK SET (SAM-5 7.4): aborts the tasks of every nexus on the LU; other nexuses' tasks end with
     * TASK ABORTED (TAS=1). The transport aborts its own tasks through their handles. (ABORT TASK SET
     * concerns the requesting nexus only, SAM-5 7.3, so the transport handles it alone.)
     */
    CompletionStage<TaskManagementResponse> clearTaskSet(ItNexus from, long lun);

    /**
     * Registers the tasks the transport holds for {@code nexus} before submitting them, so that task
     * management of other nexuses reaches them; replaces an earlier registration of the same nexus.
     */
    default void attach(ItNexus nexus, PendingTasks pending) {
    }

    /** Withdraws {@link #attach}; does nothing when another registration replaced {@code pending}. */
    default void detach(ItNexus nexus, PendingTasks pending) {
    }

    /** I_T nexus loss (SAM-5 6.3.4): connection gone for good. Releases SCSI-2 reservations held by it. */
    void nexusLost(ItNexus nexus);

    /**
     * The transport installs how the core can confirm that other nexuses are alive before refusing a
     * command because of their state ({@link NexusLiveness}); until then every nexus counts as alive.
     */
    default void useNexusLiveness(NexusLiveness liveness) {
    }

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
