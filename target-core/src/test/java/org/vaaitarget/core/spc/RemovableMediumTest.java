package org.vaaitarget.core.spc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.vaaitarget.core.testkit.Harness.A;
import static org.vaaitarget.core.testkit.Harness.B;
import static org.vaaitarget.core.testkit.Harness.assertCheck;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vaaitarget.core.assembly.StandardHandlers;
import org.vaaitarget.core.scsi.ItNexus;
import org.vaaitarget.core.scsi.LunAddress;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.TaskManagementResponse;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.testkit.Harness;
import org.vaaitarget.core.testkit.Reply;

/**
 * The opt-in removable medium: INQUIRY RMB, PREVENT ALLOW MEDIUM REMOVAL per I_T nexus, START STOP UNIT
 * eject and load, MEDIUM NOT PRESENT while ejected, and the events that end preventions. LUN 0 is
 * removable, LUN 1 fixed (the default), on the same device.
 */
class RemovableMediumTest {
    private static final int REMOVABLE = 0;
    private static final int FIXED = 1;

    private final Harness h = Harness.of(List.of(Harness.removableLu(REMOVABLE, Harness.THIN_WRITE_BACK),
            Harness.lu(FIXED, Harness.THIN_WRITE_BACK)), StandardHandlers.all());

    @BeforeEach
    void clear() {
        clearAllUas();
    }

    private void clearAllUas() {
        for (int lun : new int[] {REMOVABLE, FIXED}) {
            h.clearUa(A, lun);
            h.clearUa(B, lun);
        }
    }

    private Reply prevent(ItNexus nexus, int lun, int value) {
        return h.run(nexus, lun, 0x1E, 0, 0, 0, value, 0);
    }

    private Reply eject(ItNexus nexus, int lun) {
        return h.run(nexus, lun, 0x1B, 0, 0, 0, 0x02, 0);       // LOEJ=1 START=0
    }

    private Reply load(ItNexus nexus, int lun) {
        return h.run(nexus, lun, 0x1B, 0, 0, 0, 0x03, 0);       // LOEJ=1 START=1
    }

    private Reply tur(ItNexus nexus, int lun) {
        return h.run(nexus, lun, 0x00, 0, 0, 0, 0, 0);
    }

    private static void assertGood(Reply r) {
        assertEquals(ScsiStatus.GOOD, r.status());
    }

    @Test
    void inquiryReportsRmbOnlyOnTheRemovableLu() {
        assertEquals(0x80, h.run(A, REMOVABLE, 0x12, 0, 0, 0, 96, 0).u8(1));
        assertEquals(0x00, h.run(A, FIXED, 0x12, 0, 0, 0, 96, 0).u8(1));
    }

    @Test
    void ejectWhilePreventedFailsAndTheMediumStays() {
        assertGood(prevent(A, REMOVABLE, 1));
        assertCheck(eject(A, REMOVABLE), SenseReason.MEDIUM_REMOVAL_PREVENTED);
        assertGood(tur(A, REMOVABLE));
    }

    @Test
    void ejectedMediumIsNotPresentUntilLoaded() {
        assertGood(eject(A, REMOVABLE));
        assertCheck(tur(A, REMOVABLE), SenseReason.MEDIUM_NOT_PRESENT);
        assertCheck(h.run(A, REMOVABLE, 0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0), SenseReason.MEDIUM_NOT_PRESENT);
        assertCheck(h.run(A, REMOVABLE, 0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0), SenseReason.MEDIUM_NOT_PRESENT);
        assertCheck(tur(B, REMOVABLE), SenseReason.MEDIUM_NOT_PRESENT);       // the medium, not the nexus
        assertGood(tur(A, FIXED));
        // commands that do not need the medium still run
        assertEquals(0x80, h.run(A, REMOVABLE, 0x12, 0, 0, 0, 96, 0).u8(1));
        assertGood(h.run(A, REMOVABLE, 0x1A, 0, 0x3F, 0, 255, 0));
        assertGood(eject(A, REMOVABLE));                                      // already ejected: GOOD
        assertGood(load(A, REMOVABLE));
        assertGood(tur(A, REMOVABLE));                                        // no unit attention
        assertGood(h.run(A, REMOVABLE, 0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0));
    }

    @Test
    void loadWhilePreventedFailsLikeLibiscsiExpects() {
        assertGood(eject(A, REMOVABLE));
        assertGood(prevent(A, REMOVABLE, 1));                                 // allowed without a medium
        assertCheck(load(A, REMOVABLE), SenseReason.MEDIUM_REMOVAL_PREVENTED);
        assertCheck(tur(A, REMOVABLE), SenseReason.MEDIUM_NOT_PRESENT);
        assertGood(prevent(A, REMOVABLE, 0));
        assertGood(load(A, REMOVABLE));
        assertGood(tur(A, REMOVABLE));
    }

    @Test
    void preventionIsPerNexusAndLocksForEveryNexus() {
        assertGood(prevent(A, REMOVABLE, 1));
        assertCheck(eject(B, REMOVABLE), SenseReason.MEDIUM_REMOVAL_PREVENTED);
        assertGood(prevent(B, REMOVABLE, 0));                                 // B's ALLOW does not end A's
        assertCheck(eject(B, REMOVABLE), SenseReason.MEDIUM_REMOVAL_PREVENTED);
        assertGood(prevent(B, REMOVABLE, 1));
        assertGood(prevent(A, REMOVABLE, 0));
        assertCheck(eject(A, REMOVABLE), SenseReason.MEDIUM_REMOVAL_PREVENTED); // B still prevents
        assertGood(prevent(B, REMOVABLE, 0));
        assertGood(eject(A, REMOVABLE));
    }

    @Test
    void nexusLossEndsOnlyThatNexussPrevention() {
        assertGood(prevent(A, REMOVABLE, 1));
        assertGood(prevent(B, REMOVABLE, 1));
        h.device.nexusLost(A);
        h.clearUa(A, REMOVABLE);
        assertCheck(eject(A, REMOVABLE), SenseReason.MEDIUM_REMOVAL_PREVENTED);
        h.device.nexusLost(B);
        h.clearUa(B, REMOVABLE);
        assertGood(eject(B, REMOVABLE));
    }

    @Test
    void anEjectRefusedBecauseOfAnotherNexusIsDecidedAgainAfterAskingTheTransport() {
        List<Set<ItNexus>> asked = new ArrayList<>();
        // the transport finds A's connection closed and reports its loss before answering
        h.device.useNexusLiveness(nexuses -> {
            asked.add(nexuses);
            nexuses.forEach(h.device::nexusLost);
            return CompletableFuture.completedFuture(null);
        });
        assertGood(prevent(A, REMOVABLE, 1));
        assertGood(eject(B, REMOVABLE));
        assertEquals(List.of(Set.of(A)), asked);
    }

    @Test
    void aLivePreventerStillRefusesAndAnOwnPreventionIsNotAskedAbout() {
        List<Set<ItNexus>> asked = new ArrayList<>();
        h.device.useNexusLiveness(nexuses -> {
            asked.add(nexuses);
            return CompletableFuture.completedFuture(null);
        });
        assertGood(prevent(A, REMOVABLE, 1));
        assertCheck(eject(B, REMOVABLE), SenseReason.MEDIUM_REMOVAL_PREVENTED);
        assertEquals(List.of(Set.of(A)), asked);
        assertGood(prevent(B, REMOVABLE, 1));
        assertCheck(load(B, REMOVABLE), SenseReason.MEDIUM_REMOVAL_PREVENTED);
        assertEquals(1, asked.size(), "B's own prevention does not end with anyone's loss");
    }

    @Test
    void logicalUnitResetEndsEveryPrevention() {
        assertGood(prevent(A, REMOVABLE, 1));
        assertGood(prevent(B, REMOVABLE, 1));
        assertEquals(TaskManagementResponse.FUNCTION_COMPLETE,
                h.device.logicalUnitReset(A, LunAddress.encode(REMOVABLE)).toCompletableFuture().join());
        clearAllUas();
        assertGood(eject(A, REMOVABLE));
        assertCheck(tur(A, REMOVABLE), SenseReason.MEDIUM_NOT_PRESENT);       // a reset does not reload
    }

    @Test
    void targetResetEndsEveryPrevention() {
        assertGood(prevent(A, REMOVABLE, 1));
        assertEquals(TaskManagementResponse.FUNCTION_COMPLETE, h.device.targetReset(B).toCompletableFuture().join());
        clearAllUas();
        assertGood(eject(A, REMOVABLE));
    }

    @Test
    void fixedLuIgnoresPreventionAndRefusesEjectAndLoad() {
        assertGood(prevent(A, FIXED, 1));
        assertCheck(eject(A, FIXED), SenseReason.INVALID_FIELD_IN_CDB);
        assertCheck(load(A, FIXED), SenseReason.INVALID_FIELD_IN_CDB);
        assertGood(tur(A, FIXED));
        assertGood(h.run(A, FIXED, 0x1B, 0, 0, 0, 0x00, 0));                  // stop: stays ready
        assertGood(tur(A, FIXED));
        assertGood(prevent(A, FIXED, 0));
        assertCheck(prevent(A, FIXED, 2), SenseReason.INVALID_FIELD_IN_CDB);
    }

    @Test
    void obsoletePreventValuesAreInvalidOnTheRemovableLu() {
        assertCheck(prevent(A, REMOVABLE, 2), SenseReason.INVALID_FIELD_IN_CDB);
        assertCheck(prevent(A, REMOVABLE, 3), SenseReason.INVALID_FIELD_IN_CDB);
        assertGood(eject(A, REMOVABLE));                                      // nothing was recorded
    }
}
