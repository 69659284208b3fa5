package org.vaaitarget.core.lu;

import java.util.concurrent.CompletionStage;

/**
 * The other gateways serving the same logical unit, when several servers stand in front of one shared store
 * (an RBD image): the port groups they form, and the events that must reach their I_T nexuses too.
 */
public interface Gateways {

    /** Every gateway's target port group (implicit ALUA). */
    TargetPortGroups portGroups();

    /**
     * After a LOGICAL UNIT RESET through this gateway: every other gateway establishes BUS DEVICE RESET FUNCTION
     * OCCURRED for its I_T nexuses (SAM-5 6.3.3: for each I_T nexus of the LU) and releases its SCSI-2 reservation
     * state. Completes once they have (or could not be reached in time: a gateway that does not answer is dead or
     * cut off, and its initiators learn of the reset by losing their connections).
     */
    CompletionStage<Void> announceReset();

    /**
     * Installs what ends this LU's connections when this gateway is fenced off the shared store ({@link FenceListener});
     * once they are gone the store reconnects and serves again. Without one a fenced gateway stays fenced until it is
     * restarted.
     */
    default void onFenced(FenceListener listener) {
    }
}
