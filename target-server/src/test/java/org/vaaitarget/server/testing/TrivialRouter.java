package org.vaaitarget.server.testing;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.scsi.ItNexus;
import org.vaaitarget.core.scsi.ScsiCommand;
import org.vaaitarget.core.scsi.ScsiTaskRouter;
import org.vaaitarget.core.scsi.TaskHandle;
import org.vaaitarget.core.scsi.TaskManagementResponse;

/** A ScsiTaskRouter for login tests: no LUNs, never called by the login layer. */
public final class TrivialRouter implements ScsiTaskRouter {
    @Override
    public TaskHandle submit(ScsiCommand command) {
        throw new UnsupportedOperationException("login tests submit no SCSI commands");
    }

    @Override
    public CompletionStage<TaskManagementResponse> logicalUnitReset(ItNexus from, long lun) {
        return CompletableFuture.completedFuture(TaskManagementResponse.values()[0]);
    }

    @Override
    public CompletionStage<TaskManagementResponse> targetReset(ItNexus from) {
        return CompletableFuture.completedFuture(TaskManagementResponse.values()[0]);
    }

    @Override
    public CompletionStage<TaskManagementResponse> clearTaskSet(ItNexus from, long lun) {
        return CompletableFuture.completedFuture(TaskManagementResponse.values()[0]);
    }

    @Override
    public void nexusLost(ItNexus nexus) {
    }

    @Override
    public boolean hasLun(ItNexus nexus, long lun) {
        return false;
    }
}
