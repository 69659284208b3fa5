package org.vaaitarget.core.lu.pr;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.vaaitarget.core.scsi.ItNexus;
import org.vaaitarget.core.scsi.sense.SenseReason;

/**
 * What a PERSISTENT RESERVE OUT service action decided under the state lock.
 *
 * @param conflict   RESERVATION CONFLICT
 * @param error      CHECK CONDITION reason, or null
 * @param paramByte  for INVALID FIELD IN PARAMETER LIST: the parameter list byte (or -1)
 * @param aborted    I_T nexuses whose tasks on this LU are aborted (PREEMPT AND ABORT)
 * @param quiesce    a reservation now holds others back: wait for their admitted media tasks first
 * @param saved      completes when the new state is persisted (or at once)
 */
public record PrOutcome(boolean conflict, SenseReason error, int paramByte, Set<ItNexus> aborted, boolean quiesce,
                 CompletableFuture<Void> saved) {

    static final PrOutcome CONFLICT = new PrOutcome(true, null, -1, Set.of(), false, null);

    static PrOutcome error(SenseReason reason, int paramByte) {
        return new PrOutcome(false, reason, paramByte, Set.of(), false, null);
    }

    static PrOutcome good(CompletableFuture<Void> saved) {
        return new PrOutcome(false, null, -1, Set.of(), false, saved);
    }

    static PrOutcome goodNoChange() {
        return good(CompletableFuture.completedFuture(null));
    }
}
