package org.vaaitarget.core.dispatch;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.vaaitarget.core.observe.CommandOp;
import org.vaaitarget.core.observe.LunObserver;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.ItNexus;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.TaskHandle;
import org.vaaitarget.core.store.StoreErrors;

/**
 * A submitted task as the dispatcher tracks it: the {@link TaskHandle} the transport holds, and the
 * single completion path that releases everything (DESIGN 9.11).
 */
final class RunningTask implements TaskHandle {
    private final Task task;
    private final CompletableFuture<CommandResult> result = new CompletableFuture<>();
    private final AtomicBoolean completed = new AtomicBoolean();
    private final LunObserver observer;
    private final long startNanos;
    private final int dataOutBytes;
    /** Set before the abort when another I_T nexus aborted this task and TAS=1: answer TASK ABORTED. */
    private volatile boolean reportTaskAborted;

    RunningTask(Task task) {
        this(task, LunObserver.NONE);
    }

    /** @param observer told about the completion ({@link LunObserver#NONE}: nobody) */
    RunningTask(Task task, LunObserver observer) {
        this.task = task;
        this.observer = observer;
        this.startNanos = observer == LunObserver.NONE ? 0 : System.nanoTime();
        this.dataOutBytes = task.command().dataOutLength();   // before a handler consumes the buffer
    }

    Task task() {
        return task;
    }

    /** Completes when the result has been handed over (for LU reset and close to wait on). */
    CompletableFuture<CommandResult> done() {
        return result;
    }

    @Override
    public CompletionStage<CommandResult> result() {
        return result.minimalCompletionStage();
    }

    @Override
    public void abort() {
        task.abort();
    }

    /**
     * Aborts the task for a task management function (or PREEMPT AND ABORT) received on {@code from}.
     * A task of another I_T nexus then ends with status TASK ABORTED when the LU's Control mode page has
     * TAS=1, so that its initiator learns of it at once; the requesting nexus's own tasks end without
     * a status (SAM-5 5.6).
     */
    void abortFor(ItNexus from) {
        if (!task.nexus().equals(from) && task.lu() != null && task.lu().mode().taskAbortedStatus()) {
            reportTaskAborted = true;
        }
        task.abort();
    }

    /**
     * The one completion path, called once when the handler's stage completes (or at once when no
     * handler ran). Releases the Data-Out buffer, releases range locks ({@link Task#finish()}), maps an
     * exceptional completion through {@link StoreErrors}, and replaces the result of an aborted task
     * with {@link CommandResult#abortedTask()} (or TASK ABORTED status, {@link #abortFor}), releasing the
     * Data-In it would have carried.
     *
     * @param produced the handler's result (its dataIn now owned here), or null
     * @param error    the handler's failure, or null
     * @param beforeHandOver run after everything is released and before the result is handed over
     */
    void complete(CommandResult produced, Throwable error, Runnable beforeHandOver) {
        if (!completed.compareAndSet(false, true)) {
            releaseDataIn(produced);
            return;
        }
        ByteBuf dataOut = task.command().dataOut();
        CommandResult r;
        try {
            if (dataOut != null) {
                dataOut.release();
            }
        } finally {
            task.finish();
            r = resultFor(produced, error);
            beforeHandOver.run();
        }
        if (observer != LunObserver.NONE) {
            observe(r);
        }
        result.complete(r);
    }

    private void observe(CommandResult r) {
        ScsiStatus status = r.status();
        boolean good = status == ScsiStatus.GOOD;
        observer.commandCompleted(CommandOp.of(task.command().opcode()), status, senseKey(r),
                good ? r.dataInLength() : 0, good ? dataOutBytes : 0, System.nanoTime() - startNanos);
    }

    /** The sense key of a CHECK CONDITION (fixed or descriptor format, SPC-5 4.4), else -1. */
    static int senseKey(CommandResult r) {
        byte[] sense = r.sense();
        if (r.status() != ScsiStatus.CHECK_CONDITION || sense == null || sense.length < 3) {
            return -1;
        }
        int code = sense[0] & 0x7F;
        return (code == 0x72 || code == 0x73 ? sense[1] : sense[2]) & 0x0F;
    }

    private CommandResult resultFor(CommandResult produced, Throwable error) {
        if (task.isAborted()) {
            releaseDataIn(produced);
            return reportTaskAborted ? CommandResult.status(ScsiStatus.TASK_ABORTED) : CommandResult.abortedTask();
        }
        boolean descriptor = task.lu() != null && task.lu().mode().descriptorSense();
        if (error != null) {
            releaseDataIn(produced);
            return StoreErrors.toResult(error, descriptor);
        }
        if (produced == null) {
            return StoreErrors.toResult(new IllegalStateException("handler produced no result for opcode "
                    + String.format("%02Xh", task.command().opcode())), descriptor);
        }
        return produced;
    }

    private static void releaseDataIn(CommandResult r) {
        if (r != null) {
            r.releaseData();
        }
    }
}
