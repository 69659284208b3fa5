package org.vaaitarget.core.dispatch;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.scsi.ItNexus;
import org.vaaitarget.core.scsi.ScsiCommand;
import org.vaaitarget.core.scsi.ScsiTaskRouter;
import org.vaaitarget.core.scsi.TaskHandle;
import org.vaaitarget.core.scsi.TaskManagementResponse;

/** A SCSI target device: its logical units and the command dispatcher in front of them. */
public final class TargetDevice implements ScsiTaskRouter, AutoCloseable {

    /**
     * @param name  the target name (for logs and the device identification page)
     * @param luns  logical units, each with its own number
     */
    public TargetDevice(String name, List<LogicalUnit> luns) {
        throw new UnsupportedOperationException("TODO: dispatch helper");
    }

    public List<LogicalUnit> luns() {
        throw new UnsupportedOperationException("TODO");
    }

    @Override
    public TaskHandle submit(ScsiCommand command) {
        throw new UnsupportedOperationException("TODO");
    }

    @Override
    public CompletionStage<TaskManagementResponse> logicalUnitReset(ItNexus from, long lun) {
        throw new UnsupportedOperationException("TODO");
    }

    @Override
    public CompletionStage<TaskManagementResponse> targetReset(ItNexus from) {
        throw new UnsupportedOperationException("TODO");
    }

    @Override
    public CompletionStage<TaskManagementResponse> clearTaskSet(ItNexus from, long lun) {
        throw new UnsupportedOperationException("TODO");
    }

    @Override
    public void nexusLost(ItNexus nexus) {
        throw new UnsupportedOperationException("TODO");
    }

    @Override
    public boolean hasLun(ItNexus nexus, long lun) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Waits for running tasks, flushes and closes every LU. */
    @Override
    public void close() {
        throw new UnsupportedOperationException("TODO");
    }
}
