package org.vaaitarget.core.scsi;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The transport's answer to "are these I_T nexuses still there?", asked by the core before it refuses a
 * command because of state that another nexus holds and that the loss of that nexus ends: a SCSI-2
 * reservation (SPC-2 5.5.1) or a medium removal prevention (SPC-5 6.16). Implemented by the fabric and
 * installed with {@link ScsiTaskRouter#useNexusLiveness}.
 *
 * <p>Why: a transport learns of a nexus loss on its own schedule (a TCP FIN is processed by the
 * connection's event loop, possibly after another connection's command). An initiator that closed one
 * connection and then sent a command on another is entitled to have the first nexus's state gone, since
 * the target received the close first (libiscsi PreventAllow.ITNexusLoss, Reserve6.ITNexusLoss). Asking
 * only on the refusing path costs nothing on the paths that succeed.
 */
@FunctionalInterface
public interface NexusLiveness {

    /** For transports that report every loss before they serve another command (and for tests). */
    NexusLiveness ASSUME_ALIVE = nexuses -> CompletableFuture.completedFuture(null);

    /**
     * Completes once each nexus in {@code nexuses} has either been found alive (its connection shows no
     * loss the transport could know of) or its loss has been reported through
     * {@link ScsiTaskRouter#nexusLost} and that call has returned. Never completes exceptionally, completes
     * in bounded time (a check that cannot be made counts as alive), on any thread, and never blocks the
     * caller.
     */
    CompletionStage<Void> confirm(Set<ItNexus> nexuses);
}
