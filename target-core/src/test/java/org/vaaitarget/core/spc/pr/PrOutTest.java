package org.vaaitarget.core.spc.pr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vaaitarget.core.spc.pr.PrFixture.A;
import static org.vaaitarget.core.spc.pr.PrFixture.B;
import static org.vaaitarget.core.spc.pr.PrFixture.C;
import static org.vaaitarget.core.spc.pr.PrFixture.assertStatus;
import static org.vaaitarget.core.testkit.Harness.assertCheck;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vaaitarget.core.lu.lock.LockMode;
import org.vaaitarget.core.lu.lock.RangeLock;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.TaskHandle;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.testkit.Harness;
import org.vaaitarget.core.testkit.Reply;
import org.vaaitarget.core.lu.pr.PrOutRequest;
import org.vaaitarget.core.lu.pr.ReservationType;
import org.vaaitarget.core.dispatch.ParameterData;

/** Every PERSISTENT RESERVE OUT service action and PERSISTENT RESERVE IN report, through the dispatcher. */
class PrOutTest {
    private final PrFixture f = new PrFixture();

    @Test
    void registerNeedsTheCurrentKeyAndBumpsTheGeneration() {
        assertStatus(ScsiStatus.RESERVATION_CONFLICT, f.prOut(A, PrOutRequest.REGISTER, null, 5, 0xA, 0));
        assertStatus(ScsiStatus.GOOD, f.prOut(A, PrOutRequest.REGISTER, null, 0, 0xA, 0));
        assertArrayEquals(new long[] {0xA}, f.keys(A));
        assertEquals(1, f.prIn(A, PrInHandler.READ_KEYS).u32(0), "PRGENERATION");
        assertStatus(ScsiStatus.RESERVATION_CONFLICT, f.prOut(A, PrOutRequest.REGISTER, null, 0, 0xAA, 0));
        assertStatus(ScsiStatus.GOOD, f.prOut(A, PrOutRequest.REGISTER, null, 0xA, 0xAA, 0));
        assertArrayEquals(new long[] {0xAA}, f.keys(A));
        assertStatus(ScsiStatus.GOOD, f.prOut(A, PrOutRequest.REGISTER, null, 0xAA, 0, 0));
        assertArrayEquals(new long[0], f.keys(B));
        assertEquals(3, f.prIn(A, PrInHandler.READ_KEYS).u32(0));
        f.h.assertDataOutReleasedOnce();
    }

    @Test
    void registerAndIgnoreReplacesAnyKey() {
        f.register(A, 1);
        assertStatus(ScsiStatus.GOOD, f.prOut(A, PrOutRequest.REGISTER_AND_IGNORE, null, 777, 2, 0));
        assertArrayEquals(new long[] {2}, f.keys(A));
        f.h.assertDataOutReleasedOnce();
    }

    @ParameterizedTest
    @EnumSource(ReservationType.class)
    void reserveReportAndRelease(ReservationType type) {
        f.register(A, 0xA);
        f.register(B, 0xB);
        assertStatus(ScsiStatus.RESERVATION_CONFLICT, f.reserve(C, 0xC, type));         // not registered
        assertStatus(ScsiStatus.RESERVATION_CONFLICT, f.reserve(A, 0xB, type));         // wrong key
        assertStatus(ScsiStatus.GOOD, f.reserve(A, 0xA, type));
        assertStatus(ScsiStatus.GOOD, f.reserve(A, 0xA, type));                         // repeated by the holder
        Reply rr = f.prIn(B, PrInHandler.READ_RESERVATION);
        assertEquals(16, rr.u32(4));
        assertEquals(type.allRegistrants() ? 0 : 0xA, rr.u64(8), "reservation key (0 for all registrants)");
        assertEquals(type.code(), rr.u8(21));
        ReservationType other = type == ReservationType.WRITE_EXCLUSIVE ? ReservationType.EXCLUSIVE_ACCESS
                : ReservationType.WRITE_EXCLUSIVE;
        assertCheck(f.prOut(A, PrOutRequest.RELEASE, other, 0xA, 0, 0), SenseReason.INVALID_RELEASE_OF_PERSISTENT_RESERVATION);
        // B releases: only a holder's RELEASE does anything; for all registrants types B is a holder, and
        // releasing a registrants-only or all-registrants reservation tells the other registrants.
        assertStatus(ScsiStatus.GOOD, f.prOut(B, PrOutRequest.RELEASE, type, 0xB, 0, 0));
        boolean released = type.allRegistrants();
        if (released) {
            assertCheck(f.tur(A), SenseReason.RESERVATIONS_RELEASED);
        }
        assertEquals(released ? 8 : 24, f.prIn(A, PrInHandler.READ_RESERVATION).data().length);
        if (!released) {
            assertStatus(ScsiStatus.GOOD, f.prOut(A, PrOutRequest.RELEASE, type, 0xA, 0, 0));
            if (type.registrantsOnly()) {
                assertCheck(f.tur(B), SenseReason.RESERVATIONS_RELEASED);
            }
            assertEquals(8, f.prIn(A, PrInHandler.READ_RESERVATION).data().length);
        }
        assertStatus(ScsiStatus.GOOD, f.tur(A));
        assertStatus(ScsiStatus.GOOD, f.tur(B));
        f.h.assertDataOutReleasedOnce();
    }

    @Test
    void anotherReservationConflicts() {
        f.register(A, 0xA);
        f.register(B, 0xB);
        f.reserve(A, 0xA, ReservationType.WRITE_EXCLUSIVE);
        assertStatus(ScsiStatus.RESERVATION_CONFLICT, f.reserve(B, 0xB, ReservationType.WRITE_EXCLUSIVE));
        assertStatus(ScsiStatus.RESERVATION_CONFLICT, f.reserve(A, 0xA, ReservationType.EXCLUSIVE_ACCESS));
        f.h.assertDataOutReleasedOnce();
    }

    @Test
    void clearRemovesEverythingAndTellsTheOthers() {
        f.register(A, 0xA);
        f.register(B, 0xB);
        f.reserve(A, 0xA, ReservationType.EXCLUSIVE_ACCESS);
        assertStatus(ScsiStatus.RESERVATION_CONFLICT, f.prOut(C, PrOutRequest.CLEAR, null, 0xC, 0, 0));
        assertStatus(ScsiStatus.GOOD, f.prOut(B, PrOutRequest.CLEAR, null, 0xB, 0, 0));
        assertCheck(f.tur(A), SenseReason.RESERVATIONS_PREEMPTED);
        assertStatus(ScsiStatus.GOOD, f.tur(B));
        assertArrayEquals(new long[0], f.keys(A));
        assertStatus(ScsiStatus.GOOD, f.read10(C));
        f.h.assertDataOutReleasedOnce();
    }

    @Test
    void preemptTakesTheReservationAndRemovesTheVictim() {
        f.register(A, 0xA);
        f.register(B, 0xB);
        f.reserve(A, 0xA, ReservationType.WRITE_EXCLUSIVE);
        assertCheck(f.prOut(B, PrOutRequest.PREEMPT, ReservationType.EXCLUSIVE_ACCESS, 0xB, 0, 0),
                SenseReason.INVALID_FIELD_IN_PARAMETER_LIST);                            // key 0, not all registrants
        assertStatus(ScsiStatus.RESERVATION_CONFLICT,
                f.prOut(B, PrOutRequest.PREEMPT, ReservationType.EXCLUSIVE_ACCESS, 0xB, 0x99, 0));  // nobody has it
        assertStatus(ScsiStatus.GOOD, f.prOut(B, PrOutRequest.PREEMPT, ReservationType.EXCLUSIVE_ACCESS, 0xB, 0xA, 0));
        assertCheck(f.tur(A), SenseReason.REGISTRATIONS_PREEMPTED);
        assertArrayEquals(new long[] {0xB}, f.keys(B));
        Reply rr = f.prIn(B, PrInHandler.READ_RESERVATION);
        assertEquals(0xB, rr.u64(8));
        assertEquals(ReservationType.EXCLUSIVE_ACCESS.code(), rr.u8(21));
        assertStatus(ScsiStatus.RESERVATION_CONFLICT, f.read10(A));
        f.h.assertDataOutReleasedOnce();
    }

    @Test
    void preemptWithoutReservationOnlyRemovesRegistrations() {
        f.register(A, 0xA);
        f.register(B, 0xB);
        assertStatus(ScsiStatus.GOOD, f.prOut(A, PrOutRequest.PREEMPT, ReservationType.WRITE_EXCLUSIVE, 0xA, 0xB, 0));
        assertArrayEquals(new long[] {0xA}, f.keys(A));
        assertEquals(8, f.prIn(A, PrInHandler.READ_RESERVATION).data().length, "no reservation made");
        assertCheck(f.tur(B), SenseReason.REGISTRATIONS_PREEMPTED);
        f.h.assertDataOutReleasedOnce();
    }

    @Test
    void preemptAllRegistrantsWithKeyZero() {
        f.register(A, 0xA);
        f.register(B, 0xB);
        f.reserve(A, 0xA, ReservationType.WRITE_EXCLUSIVE_ALL_REGISTRANTS);
        assertStatus(ScsiStatus.GOOD, f.prOut(B, PrOutRequest.PREEMPT, ReservationType.WRITE_EXCLUSIVE, 0xB, 0, 0));
        assertArrayEquals(new long[] {0xB}, f.keys(B));
        assertEquals(0xB, f.prIn(B, PrInHandler.READ_RESERVATION).u64(8));
        f.h.assertDataOutReleasedOnce();
    }

    @Test
    void preemptAndAbortAbortsTheVictimsQueuedTasks() {
        f.register(A, 0xA);
        f.register(B, 0xB);
        f.reserve(B, 0xB, ReservationType.WRITE_EXCLUSIVE);
        RangeLock held = f.lu.locks().acquire(0, 1, LockMode.EXCLUSIVE).join();
        TaskHandle queued = f.h.device.submit(Harness.command(B, 0, Harness.cdb(0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0), null));
        assertStatus(ScsiStatus.GOOD,
                f.prOut(A, PrOutRequest.PREEMPT_AND_ABORT, ReservationType.EXCLUSIVE_ACCESS, 0xA, 0xB, 0));
        Reply victim = Harness.await(queued);
        // SPC-5 5.14.11.4.5 aborts them as SAM-5 5.6 says: with TAS=1 another nexus's task ends with TASK ABORTED.
        assertEquals(ScsiStatus.TASK_ABORTED, victim.status(), "B's READ waiting for its lock was aborted");
        assertFalse(victim.aborted(), "and B is answered");
        held.close();
        assertCheck(f.tur(B), SenseReason.REGISTRATIONS_PREEMPTED);
        assertStatus(ScsiStatus.RESERVATION_CONFLICT, f.read10(B));
        f.h.assertDataOutReleasedOnce();
    }

    @Test
    void registerAndMoveHandsTheReservationOver() {
        f.register(A, 0xA);
        f.reserve(A, 0xA, ReservationType.WRITE_EXCLUSIVE);
        assertStatus(ScsiStatus.GOOD, move(0xA, 0xB, 0x02, A.relativeTargetPort(), tid(C)));   // UNREG
        Reply full = f.prIn(C, PrInHandler.READ_FULL_STATUS);
        assertEquals(1, countDescriptors(full), "UNREG: only the destination stays registered");
        assertEquals(0xB, full.u64(8));
        assertEquals(1, full.u8(8 + 12) & 0x01, "R_HOLDER");
        String id = new String(full.data(), 8 + 24 + 4, full.data().length - 8 - 24 - 4, StandardCharsets.UTF_8);
        assertTrue(id.startsWith(C.initiatorName() + ",i,0x" + C.isid()), id);
        assertStatus(ScsiStatus.GOOD, f.write10(C));
        assertStatus(ScsiStatus.RESERVATION_CONFLICT, f.write10(A));
        f.h.assertDataOutReleasedOnce();
    }

    @Test
    void registerAndMoveRejectsBadTargets() {
        f.register(A, 0xA);
        assertStatus(ScsiStatus.RESERVATION_CONFLICT, move(0xA, 0xB, 0, A.relativeTargetPort(), tid(C)));  // no reservation
        f.reserve(A, 0xA, ReservationType.WRITE_EXCLUSIVE);
        assertCheck(move(0xA, 0xB, 0, A.relativeTargetPort(), tid(A)), SenseReason.INVALID_FIELD_IN_PARAMETER_LIST);
        assertCheck(move(0xA, 0xB, 0, 77, tid(C)), SenseReason.INVALID_FIELD_IN_PARAMETER_LIST);
        byte[] deviceName = tid(C);
        deviceName[0] = 0x05;                                                         // format 00b: no ISID
        assertCheck(move(0xA, 0xB, 0, A.relativeTargetPort(), deviceName), SenseReason.INVALID_FIELD_IN_PARAMETER_LIST);
        f.h.assertDataOutReleasedOnce();
    }

    @Test
    void parameterListAndCdbErrors() {
        assertCheck(f.prOutRaw(A, PrOutRequest.REGISTER, 0, new byte[23]), SenseReason.PARAMETER_LIST_LENGTH_ERROR);
        assertCheck(f.prOutRaw(A, PrOutRequest.REGISTER, 0, new byte[28]), SenseReason.PARAMETER_LIST_LENGTH_ERROR);
        Reply sip = f.prOut(A, PrOutRequest.REGISTER, null, 0, 1, 0x08);
        assertCheck(sip, SenseReason.INVALID_FIELD_IN_PARAMETER_LIST);
        f.register(A, 0xA);
        assertCheck(f.prOutRaw(A, PrOutRequest.RESERVE, 0x11, basic(0xA, 0)), SenseReason.INVALID_FIELD_IN_CDB); // scope
        assertCheck(f.prOutRaw(A, PrOutRequest.RESERVE, 0x02, basic(0xA, 0)), SenseReason.INVALID_FIELD_IN_CDB); // type 2
        assertCheck(f.prOutRaw(A, 0x08, 0, basic(0xA, 0)), SenseReason.INVALID_FIELD_IN_CDB);                    // SA 8
        assertCheck(f.prIn(A, 0x04), SenseReason.INVALID_FIELD_IN_CDB);
        // APTPL on a LU without persistence: PTPL_C=0, so the bit is invalid.
        assertCheck(f.prOut(B, PrOutRequest.REGISTER, null, 0, 1, 0x01), SenseReason.INVALID_FIELD_IN_PARAMETER_LIST);
        f.h.assertDataOutReleasedOnce();
    }

    @Test
    void reportCapabilities() {
        Reply r = f.prIn(A, PrInHandler.REPORT_CAPABILITIES);
        assertEquals(8, r.u16(0));
        assertEquals(0x14, r.u8(2), "CRH, ATP_C; no SIP_C, no PTPL_C for a memory LU");
        assertEquals(0x90, r.u8(3), "TMV, ALLOW COMMANDS 001b, PTPL_A 0");
        assertEquals(0xEA, r.u8(4), "WR_EX_AR EX_AC_RO WR_EX_RO EX_AC WR_EX");
        assertEquals(0x01, r.u8(5), "EX_AC_AR");
    }

    @Test
    void readKeysTruncatesToTheAllocationLength() {
        f.register(A, 0x1122334455667788L);
        f.register(B, 2);
        Reply r = f.h.run(A, 0, 0x5E, 0, 0, 0, 0, 0, 0, 0, 12, 0);
        assertEquals(12, r.data().length);
        assertEquals(16, r.u32(4), "ADDITIONAL LENGTH is the full length");
        assertEquals(0x11223344L, r.u32(8));
    }

    @Test
    void persistentRegistrationsSurviveNexusLossAndResets() {
        f.register(A, 0xA);
        f.reserve(A, 0xA, ReservationType.EXCLUSIVE_ACCESS);
        f.h.device.nexusLost(A);
        f.h.device.logicalUnitReset(B, 0).toCompletableFuture().join();
        f.h.clearUa(B, 0);
        assertStatus(ScsiStatus.RESERVATION_CONFLICT, f.read10(B));
        assertArrayEquals(new long[] {0xA}, f.keys(B));
    }

    private Reply move(long key, long saKey, int flags17, int port, byte[] tid) {
        byte[] list = new byte[24 + tid.length];
        ParameterData.put64(list, 0, key);
        ParameterData.put64(list, 8, saKey);
        list[17] = (byte) flags17;
        ParameterData.put16(list, 18, port);
        ParameterData.put32(list, 20, tid.length);
        System.arraycopy(tid, 0, list, 24, tid.length);
        return f.prOutRaw(A, PrOutRequest.REGISTER_AND_MOVE, 0, list);
    }

    private static byte[] tid(org.vaaitarget.core.scsi.ItNexus n) {
        return TransportIds.encode(n);
    }

    private static byte[] basic(long key, long saKey) {
        byte[] list = new byte[24];
        ParameterData.put64(list, 0, key);
        ParameterData.put64(list, 8, saKey);
        return list;
    }

    private static int countDescriptors(Reply full) {
        int n = 0;
        int off = 8;
        while (off < 8 + full.u32(4)) {
            off += 24 + (int) full.u32(off + 20);
            n++;
        }
        return n;
    }

    @Test
    void unregisteringTheHolderOfARegistrantsOnlyReservationReleasesIt() {
        f.register(A, 0xA);
        f.register(B, 0xB);
        f.reserve(A, 0xA, ReservationType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY);
        assertStatus(ScsiStatus.GOOD, f.prOut(A, PrOutRequest.REGISTER, null, 0xA, 0, 0));
        assertCheck(f.tur(B), SenseReason.RESERVATIONS_RELEASED);
        assertEquals(8, f.prIn(B, PrInHandler.READ_RESERVATION).data().length);
        assertFalse(f.lu.reservations().snapshot().aptpl());
        f.h.assertDataOutReleasedOnce();
    }
}
