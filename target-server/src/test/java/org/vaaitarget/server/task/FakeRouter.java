package org.vaaitarget.server.task;

import io.netty.buffer.ByteBufUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.ItNexus;
import org.vaaitarget.core.scsi.ScsiCommand;
import org.vaaitarget.core.scsi.ScsiTaskRouter;
import org.vaaitarget.core.scsi.TaskHandle;
import org.vaaitarget.core.scsi.TaskManagementResponse;

/** A core stand-in: records commands (copying and releasing their Data-Out) and completes them on demand. */
final class FakeRouter implements ScsiTaskRouter {

    static final class Submitted implements TaskHandle {
        final ScsiCommand command;
        final byte[] dataOut;
        final CompletableFuture<CommandResult> result = new CompletableFuture<>();
        boolean abortCalled;
        /** When set, abort completes the result at once, on the aborting thread (a core task not yet started). */
        boolean completeOnAbort;
        /** Runs inside abort (an abort that finishes other tasks at once, say by failing the I/O they wait for). */
        Runnable onAbort = () -> { };

        Submitted(ScsiCommand command, byte[] dataOut) {
            this.command = command;
            this.dataOut = dataOut;
        }

        @Override
        public CompletionStage<CommandResult> result() {
            return result;
        }

        @Override
        public void abort() {
            abortCalled = true;
            onAbort.run();
            if (completeOnAbort) {
                result.complete(CommandResult.abortedTask());
            }
        }

        void complete(CommandResult r) {
            result.complete(r);
        }
    }

    final List<Submitted> submitted = new ArrayList<>();
    final List<String> calls = new ArrayList<>();
    /** The command submit last threw for ({@link #refuseWith}). */
    ScsiCommand lastRefused;
    /** When set, every command completes at once with this result. */
    Function<ScsiCommand, CommandResult> autoResult;
    boolean lunExists = true;
    /** When set, submit throws it without taking the Data-Out (a core bug). */
    RuntimeException refuseWith;

    @Override
    public TaskHandle submit(ScsiCommand command) {
        if (refuseWith != null) {
            lastRefused = command;
            throw refuseWith;
        }
        byte[] data = null;
        if (command.dataOut() != null) {
            data = ByteBufUtil.getBytes(command.dataOut());
            command.dataOut().release();
        }
        Submitted s = new Submitted(command, data);
        submitted.add(s);
        if (autoResult != null) {
            s.complete(autoResult.apply(command));
        }
        return s;
    }

    Submitted last() {
        return submitted.get(submitted.size() - 1);
    }

    @Override
    public CompletionStage<TaskManagementResponse> logicalUnitReset(ItNexus from, long lun) {
        calls.add("lunReset " + lun);
        return CompletableFuture.completedFuture(TaskManagementResponse.FUNCTION_COMPLETE);
    }

    @Override
    public CompletionStage<TaskManagementResponse> targetReset(ItNexus from) {
        calls.add("targetReset");
        return CompletableFuture.completedFuture(TaskManagementResponse.FUNCTION_COMPLETE);
    }

    @Override
    public CompletionStage<TaskManagementResponse> clearTaskSet(ItNexus from, long lun) {
        calls.add("clearTaskSet " + lun);
        return CompletableFuture.completedFuture(TaskManagementResponse.FUNCTION_COMPLETE);
    }

    @Override
    public void nexusLost(ItNexus nexus) {
        calls.add("nexusLost");
    }

    /** What the transport registered with {@link #attach}, or null. */
    org.vaaitarget.core.scsi.PendingTasks pending;

    @Override
    public void attach(ItNexus nexus, org.vaaitarget.core.scsi.PendingTasks tasks) {
        pending = tasks;
    }

    @Override
    public void detach(ItNexus nexus, org.vaaitarget.core.scsi.PendingTasks tasks) {
        if (pending == tasks) {
            pending = null;
        }
    }

    @Override
    public boolean hasLun(ItNexus nexus, long lun) {
        return lunExists;
    }
}
