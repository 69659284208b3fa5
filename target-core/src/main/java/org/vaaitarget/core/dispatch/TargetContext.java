package org.vaaitarget.core.dispatch;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.scsi.ItNexus;
import org.vaaitarget.core.scsi.NexusLiveness;

/**
 * What a handler may know about the target device it runs on: its name, its logical units and the
 * command table dispatch serves. REPORT LUNS, REPORT SUPPORTED OPERATION CODES and the device
 * identification VPD page read it through {@link Task#context()}.
 */
public interface TargetContext {

    /** The target name (iSCSI IQN or EUI), used as the SCSI target device name. */
    String targetName();

    /** The logical units, ordered by number. */
    List<LogicalUnit> luns();

    /** The logical units {@code nexus} may see (LUN masking), ordered by number. Default: all of them. */
    default List<LogicalUnit> luns(ItNexus nexus) {
        return luns();
    }

    /**
     * Takes the pending REPORTED LUNS DATA HAS CHANGED of {@code nexus} (the target's LUN inventory changed
     * while it was logged in): true once per change. REQUEST SENSE reports it this way. Default: none.
     */
    default boolean takeInventoryChange(ItNexus nexus) {
        return false;
    }

    /** The commands dispatch serves: exactly what REPORT SUPPORTED OPERATION CODES lists. */
    HandlerTable commands();

    /**
     * Completes when every task on {@code lu} from an I_T nexus other than {@code except} that passed the
     * dispatcher's gates as a medium access (READ or WRITE) before this call has completed. RESERVE and
     * PERSISTENT RESERVE OUT wait on this before answering GOOD, so that no other nexus's command that
     * was admitted before the reservation (a COMPARE AND WRITE waiting for its range lock, say) still
     * touches the medium after the initiator has seen its reservation granted.
     */
    default CompletableFuture<Void> quiesce(LogicalUnit lu, ItNexus except) {
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Aborts every task on {@code lu} from the given I_T nexuses except {@code self} (PREEMPT AND ABORT,
     * SPC-5 5.14.11.4.5); completes when they have finished.
     */
    default CompletableFuture<Void> abortTasks(LogicalUnit lu, Set<ItNexus> nexuses, Task self) {
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Completes once each of {@code nexuses} is known alive or its loss has been handled
     * ({@link NexusLiveness#confirm}). A command refused only because of another nexus's SCSI-2
     * reservation or medium removal prevention asks this first and decides again once. Never fails.
     */
    default CompletionStage<Void> confirmAlive(Set<ItNexus> nexuses) {
        return NexusLiveness.ASSUME_ALIVE.confirm(nexuses);
    }
}
