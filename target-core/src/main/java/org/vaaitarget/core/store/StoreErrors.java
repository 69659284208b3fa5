package org.vaaitarget.core.store;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.sense.SenseData;
import org.vaaitarget.core.scsi.sense.SenseReason;

/**
 * THE one mapping from a failed task (a {@link StoreException}, an abort, or a bug) to the result the
 * initiator sees (DESIGN 4 and 9.6). The dispatcher calls it for every exceptional completion.
 */
public final class StoreErrors {
    private static final Logger LOG = LoggerFactory.getLogger(StoreErrors.class);

    private StoreErrors() {
    }

    /**
     * The sense condition for a store failure kind; null for {@link StoreException.Kind#BUSY}, which is
     * a status (TASK SET FULL), not a sense condition.
     */
    public static SenseReason senseFor(StoreException.Kind kind) {
        return switch (kind) {
            case IO_READ -> SenseReason.READ_ERROR;
            case IO_WRITE -> SenseReason.WRITE_ERROR;
            // ESXI-NOTES 3: a full file system is a thin-provisioning event, not a medium error.
            case NO_SPACE -> SenseReason.SPACE_ALLOCATION_FAILED_WRITE_PROTECT;
            case WRITE_PROTECTED -> SenseReason.WRITE_PROTECTED;
            case OUT_OF_RANGE -> SenseReason.LBA_OUT_OF_RANGE;
            case CLOSED -> SenseReason.LOGICAL_UNIT_NOT_READY_CAUSE_NOT_REPORTABLE;
            case UNAVAILABLE -> SenseReason.LOGICAL_UNIT_NOT_ACCESSIBLE_TARGET_PORT_UNAVAILABLE;
            case BUSY -> null;
        };
    }

    /**
     * The result for an exceptional completion.
     *
     * @param error            what the handler's stage failed with (CompletionException is unwrapped)
     * @param descriptorSense  the LU's D_SENSE bit (false when there is no LU)
     */
    public static CommandResult toResult(Throwable error, boolean descriptorSense) {
        Throwable cause = unwrap(error);
        if (cause instanceof CancellationException) {
            return CommandResult.abortedTask();
        }
        if (cause instanceof StoreException se) {
            SenseReason reason = senseFor(se.kind());
            if (reason == null) {
                // DESIGN 3: a saturated store executor answers TASK SET FULL; the initiator retries.
                return CommandResult.status(ScsiStatus.TASK_SET_FULL);
            }
            LOG.warn("store failure {}: {}", se.kind(), se.getMessage());
            return CommandResult.checkCondition(SenseData.of(reason).encode(descriptorSense));
        }
        LOG.error("internal error while executing a task", cause);
        return CommandResult.checkCondition(SenseData.of(SenseReason.INTERNAL_TARGET_FAILURE).encode(descriptorSense));
    }

    private static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }
}
