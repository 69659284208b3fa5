package org.vaaitarget.core.scsi;

import java.util.concurrent.CompletionStage;

/**
 * The tasks a transport has received on one I_T nexus but not yet submitted to the core: writes still
 * collecting Data-Out, commands waiting for their CmdSN turn. They belong to the task set all the same
 * (SAM-5 4.6), so a task management function of another nexus that aborts the task set (LOGICAL UNIT
 * RESET, CLEAR TASK SET, a target reset, PREEMPT AND ABORT) reaches them through this.
 */
@FunctionalInterface
public interface PendingTasks {

    /**
     * Aborts the pending tasks addressed to LUN {@code lunNumber}: each ends with status TASK ABORTED when
     * {@code taskAbortedStatus} (the LU's TAS bit, SAM-5 5.6), silently otherwise. Data-Out the initiator
     * still sends for them is discarded. May be called from any thread.
     *
     * @return completes when those tasks are gone
     */
    CompletionStage<Void> abortPending(int lunNumber, boolean taskAbortedStatus);
}
