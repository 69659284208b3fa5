package org.vaaitarget.core.spc.pr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.vaaitarget.core.spc.pr.PrFixture.A;
import static org.vaaitarget.core.spc.pr.PrFixture.B;
import static org.vaaitarget.core.spc.pr.PrFixture.assertStatus;
import static org.vaaitarget.core.testkit.Harness.assertCheck;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.vaaitarget.core.lu.lock.LockMode;
import org.vaaitarget.core.lu.lock.RangeLock;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.ItNexus;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.TaskHandle;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.testkit.Harness;
import org.vaaitarget.core.testkit.Reply;
import org.vaaitarget.core.lu.pr.ReservationType;
import org.vaaitarget.core.dispatch.ParameterData;

/** SCSI-2 RESERVE / RELEASE (SPC-2 7.21, 7.22), their release by resets and nexus loss, and CAW atomicity. */
class Scsi2ReservationTest {
    private final PrFixture f = new PrFixture();

    private Reply reserve6(org.vaaitarget.core.scsi.ItNexus n) {
        return f.h.run(n, 0, 0x16, 0, 0, 0, 0, 0);
    }

    private Reply release6(org.vaaitarget.core.scsi.ItNexus n) {
        return f.h.run(n, 0, 0x17, 0, 0, 0, 0, 0);
    }

    @Test
    void reservedLuHoldsOtherNexusesBackExceptTheExemptCommands() {
        assertStatus(ScsiStatus.GOOD, reserve6(A));
        assertStatus(ScsiStatus.GOOD, reserve6(A));                                   // the holder may repeat it
        assertStatus(ScsiStatus.RESERVATION_CONFLICT, reserve6(B));
        assertStatus(ScsiStatus.RESERVATION_CONFLICT, f.tur(B));
        assertStatus(ScsiStatus.RESERVATION_CONFLICT, f.read10(B));
        assertStatus(ScsiStatus.RESERVATION_CONFLICT, f.h.run(B, 0, 0x1A, 0, 0x3F, 0, 0xFF, 0));   // MODE SENSE
        assertStatus(ScsiStatus.RESERVATION_CONFLICT, f.prIn(B, PrInHandler.READ_KEYS));
        assertStatus(ScsiStatus.GOOD, f.h.run(B, 0, 0x12, 0, 0, 0, 36, 0));          // INQUIRY
        assertStatus(ScsiStatus.GOOD, f.h.run(B, 0, 0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0));   // REPORT LUNS
        assertStatus(ScsiStatus.GOOD, f.h.run(B, 0, 0x03, 0, 0, 0, 18, 0));          // REQUEST SENSE
        assertStatus(ScsiStatus.GOOD, f.h.run(B, 0, 0x1E, 0, 0, 0, 0, 0));           // PREVENT 00b
        assertStatus(ScsiStatus.RESERVATION_CONFLICT, f.h.run(B, 0, 0x1E, 0, 0, 0, 1, 0));
        assertStatus(ScsiStatus.GOOD, release6(B));                                   // GOOD, and nothing released
        assertStatus(ScsiStatus.RESERVATION_CONFLICT, f.write10(B));
        assertStatus(ScsiStatus.GOOD, f.write10(A));
        assertStatus(ScsiStatus.GOOD, release6(A));
        assertStatus(ScsiStatus.GOOD, f.write10(B));
        assertStatus(ScsiStatus.GOOD, f.h.run(B, 0, 0x56, 0, 0, 0, 0, 0, 0, 0, 0, 0));    // RESERVE(10)
        assertStatus(ScsiStatus.RESERVATION_CONFLICT, f.tur(A));
        assertStatus(ScsiStatus.GOOD, f.h.run(B, 0, 0x57, 0, 0, 0, 0, 0, 0, 0, 0, 0));    // RELEASE(10)
        assertStatus(ScsiStatus.GOOD, f.tur(A));
        f.h.assertDataOutReleasedOnce();
    }

    @Test
    void thirdPartyAndExtentReservationsAreInvalid() {
        assertCheck(f.h.run(A, 0, 0x16, 0x10, 0, 0, 0, 0), SenseReason.INVALID_FIELD_IN_CDB);
        assertCheck(f.h.run(A, 0, 0x16, 0x01, 0, 0, 0, 0), SenseReason.INVALID_FIELD_IN_CDB);
        assertCheck(f.h.run(A, 0, 0x56, 0x10, 0, 7, 0, 0, 0, 0, 0, 0), SenseReason.INVALID_FIELD_IN_CDB);
        assertCheck(f.h.run(A, 0, 0x56, 0x02, 0, 0, 0, 0, 0, 0, 8, 0), SenseReason.INVALID_FIELD_IN_CDB);
        assertNull(f.lu.reservations().scsi2Holder());
    }

    @Test
    void logicalUnitResetReleases() {
        reserve6(A);
        f.h.device.logicalUnitReset(B, 0).toCompletableFuture().join();
        f.h.clearUa(B, 0);
        assertStatus(ScsiStatus.GOOD, f.read10(B));
    }

    @Test
    void targetResetReleases() {
        reserve6(A);
        f.h.device.targetReset(B).toCompletableFuture().join();
        f.h.clearUa(B, 0);
        assertStatus(ScsiStatus.GOOD, reserve6(B));
    }

    @Test
    void nexusLossOfTheHolderReleasesAndOfAnotherDoesNot() {
        reserve6(A);
        f.h.device.nexusLost(B);
        assertStatus(ScsiStatus.RESERVATION_CONFLICT, f.read10(B));
        f.h.device.nexusLost(A);
        assertStatus(ScsiStatus.GOOD, f.read10(B));
    }

    @Test
    void aConflictWithAnotherNexussReservationIsDecidedAgainAfterAskingTheTransport() {
        List<Set<ItNexus>> asked = new ArrayList<>();
        // the transport finds A's connection closed and reports its loss before answering
        f.h.device.useNexusLiveness(nexuses -> {
            asked.add(nexuses);
            nexuses.forEach(f.h.device::nexusLost);
            return CompletableFuture.completedFuture(null);
        });
        assertStatus(ScsiStatus.GOOD, reserve6(A));
        assertStatus(ScsiStatus.GOOD, reserve6(B));
        assertEquals(List.of(Set.of(A)), asked);
        assertEquals(B, f.lu.reservations().scsi2Holder());
    }

    @Test
    void aLiveHolderStillConflictsAndPersistentReservationsAreNotAskedAbout() {
        List<Set<ItNexus>> asked = new ArrayList<>();
        f.h.device.useNexusLiveness(nexuses -> {
            asked.add(nexuses);
            return CompletableFuture.completedFuture(null);
        });
        assertStatus(ScsiStatus.GOOD, reserve6(A));
        assertStatus(ScsiStatus.RESERVATION_CONFLICT, f.write10(B));
        assertStatus(ScsiStatus.GOOD, f.write10(A));
        assertEquals(List.of(Set.of(A)), asked);
        assertStatus(ScsiStatus.GOOD, release6(A));
        // a persistent reservation survives its holder's nexus loss (SPC-5 5.14.7): nothing to ask
        assertStatus(ScsiStatus.GOOD, f.register(A, 0xA));
        assertStatus(ScsiStatus.GOOD, f.reserve(A, 0xA, ReservationType.EXCLUSIVE_ACCESS));
        assertStatus(ScsiStatus.RESERVATION_CONFLICT, f.read10(B));
        assertEquals(1, asked.size());
    }

    @Test
    void persistentReservationHolderGetsGoodWithoutChange() {
        // SPC-5 5.14.3 (CRH=1): RESERVE/RELEASE from the persistent reservation holder are GOOD and change nothing.
        f.register(A, 0xA);
        f.reserve(A, 0xA, ReservationType.WRITE_EXCLUSIVE);
        assertStatus(ScsiStatus.GOOD, reserve6(A));
        assertNull(f.lu.reservations().scsi2Holder());
        assertStatus(ScsiStatus.RESERVATION_CONFLICT, reserve6(B));
        assertStatus(ScsiStatus.GOOD, release6(A));
        assertEquals(24, f.prIn(A, PrInHandler.READ_RESERVATION).data().length, "the persistent reservation stays");
    }

    /**
     * A COMPARE AND WRITE admitted before a RESERVE from another nexus completes before the RESERVE
     * answers GOOD; a CAW after the RESERVE gets RESERVATION CONFLICT. The CAW is held at its range
     * lock by the test, so "RESERVE is not done yet" is a state, not a race.
     */
    @Test
    void reserveWaitsForAnAdmittedCompareAndWrite() {
        RangeLock held = f.lu.locks().acquire(0, 1, LockMode.EXCLUSIVE).join();
        TaskHandle caw = f.h.device.submit(Harness.command(B, 0, PrFixture.compareAndWriteCdb(),
                io.netty.buffer.Unpooled.buffer(1024).writeZero(1024)));
        TaskHandle reserve = f.h.device.submit(Harness.command(A, 0, Harness.cdb(0x16, 0, 0, 0, 0, 0), null));
        CompletableFuture<CommandResult> reserved = reserve.result().toCompletableFuture();
        assertFalse(reserved.isDone(), "RESERVE must wait for B's admitted CAW");
        assertStatus(ScsiStatus.RESERVATION_CONFLICT, f.caw(B));                      // new ones are held back
        held.close();
        assertEquals(ScsiStatus.GOOD, Harness.await(caw).status(), "the admitted CAW completes");
        assertEquals(ScsiStatus.GOOD, Harness.await(reserve).status());
        f.h.assertDataOutReleasedOnce();
    }

    @Test
    void persistentReserveAlsoWaitsForAdmittedWrites() {
        f.register(A, 0xA);
        RangeLock held = f.lu.locks().acquire(0, 1, LockMode.EXCLUSIVE).join();
        TaskHandle write = f.h.device.submit(Harness.command(B, 0, Harness.cdb(0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0),
                io.netty.buffer.Unpooled.buffer(512).writeZero(512)));
        byte[] list = new byte[24];
        ParameterData.put64(list, 0, 0xA);
        TaskHandle reserve = f.h.device.submit(Harness.command(A, 0, Harness.cdb(0x5F, 1, 1, 0, 0, 0, 0, 0, 24, 0),
                io.netty.buffer.Unpooled.wrappedBuffer(list)));
        assertFalse(reserve.result().toCompletableFuture().isDone());
        held.close();
        assertEquals(ScsiStatus.GOOD, Harness.await(write).status());
        assertEquals(ScsiStatus.GOOD, Harness.await(reserve).status());
        assertStatus(ScsiStatus.RESERVATION_CONFLICT, f.write10(B));
        f.h.assertDataOutReleasedOnce();
    }
}
