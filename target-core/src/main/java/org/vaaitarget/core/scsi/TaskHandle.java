package org.vaaitarget.core.scsi;

import java.util.concurrent.CompletionStage;

/** A submitted task: its eventual result and a way to abort it. */
public interface TaskHandle {

    /**
     * Completes once with the result. Completes on a core thread: transports must hop back to their own
     * thread. An aborted task completes with {@link CommandResult#aborted()} true, except one aborted
     * by a task management function of another I_T nexus on a LU with TAS=1: that one completes with
     * status TASK ABORTED, to be sent like any other status (SAM-5 5.6).
     */
    CompletionStage<CommandResult> result();

    /**
     * Aborts the task (ABORT TASK, ABORT TASK SET, connection loss). A task that has not started to
     * touch the medium (for example a COMPARE AND WRITE still waiting for its range lock) is
     * guaranteed never to execute. A task already executing runs to completion; its result is then
     * marked aborted. Idempotent.
     */
    void abort();
}
