package org.vaaitarget.core.spc.pr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.vaaitarget.core.lu.ua.UnitAttentions;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.dispatch.ConflictPolicy;
import org.vaaitarget.core.dispatch.CommandSpec.PrClass;
import org.vaaitarget.core.lu.pr.ReservationState;
import org.vaaitarget.core.lu.pr.ReservationSync;
import org.vaaitarget.core.lu.pr.ReservationType;

/**
 * The form in which gateways share one LU's reservation state (issue 18): the text a gateway stores is the whole
 * state, and another gateway loading it decides conflicts the same way; a change runs through the sync.
 */
class SharedReservationStateTest {

    @Test
    void exportedStateLoadedElsewhereDecidesTheSame() {
        PrFixture f = new PrFixture();
        f.register(PrFixture.A, 0xAAL);
        f.register(PrFixture.B, 0xBBL);
        f.reserve(PrFixture.A, 0xAAL, ReservationType.WRITE_EXCLUSIVE);
        ReservationState there = new ReservationState();
        there.load(f.lu.reservations().export());
        assertEquals(f.lu.reservations().export(), there.export());
        assertEquals(f.lu.reservations().snapshot().generation(), there.snapshot().generation());
        var write = org.vaaitarget.core.sbc.SbcHandlers.all().stream().flatMap(h -> h.commands().stream())
                .filter(s -> s.opcode() == 0x2A).findFirst().orElseThrow();
        byte[] cdb = {0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0};
        PrClass cls = ConflictPolicy.prClass(write, cdb);
        boolean exempt = ConflictPolicy.scsi2Exempt(write, cdb);
        Predicate<ReservationType> heldBack = type -> ConflictPolicy.prConflict(cls, type);
        assertTrue(there.conflicts(PrFixture.B, exempt, heldBack), "B is not the holder of WRITE EXCLUSIVE");
        assertFalse(there.conflicts(PrFixture.A, exempt, heldBack));
        there.load("");
        assertFalse(there.conflicts(PrFixture.B, exempt, heldBack), "an empty text is the initial state");
    }

    @Test
    void aScsi2ReservationTravelsToo() {
        ReservationState here = new ReservationState();
        here.reserveScsi2(PrFixture.A);
        ReservationState there = new ReservationState();
        there.load(here.export());
        assertEquals(PrFixture.A, there.scsi2Holder());
        assertEquals(ReservationState.Scsi2Outcome.CONFLICT, there.reserveScsi2(PrFixture.B));
    }

    @Test
    void sharedChangesGoThroughTheSyncWhichDeliversTheStagedUnitAttentions() throws Exception {
        int[] calls = {0};
        ReservationSync sync = new ReservationSync() {
            @Override
            public <T> CompletableFuture<T> change(ReservationState state, Supplier<T> change, UnitAttentions staged,
                                                   UnitAttentions local) {
                calls[0]++;
                synchronized (state) {
                    T t = change.get();
                    staged.moveTo(local, n -> true);
                    return CompletableFuture.completedFuture(t);
                }
            }
        };
        ReservationState shared = new ReservationState(sync);
        assertTrue(shared.persistenceCapable(), "APTPL holds by nature: the state is in the cluster");
        UnitAttentions staged = new UnitAttentions();
        UnitAttentions local = new UnitAttentions();
        assertEquals(ReservationState.Scsi2Outcome.ESTABLISHED, shared.changed(() -> {
            staged.raise(PrFixture.B, SenseReason.RESERVATIONS_PREEMPTED);
            return shared.reserveScsi2(PrFixture.A);
        }, staged, local).get());
        assertEquals(1, calls[0]);
        assertEquals(SenseReason.RESERVATIONS_PREEMPTED, local.poll(PrFixture.B));
        assertEquals(null, staged.poll(PrFixture.B));
    }
}
