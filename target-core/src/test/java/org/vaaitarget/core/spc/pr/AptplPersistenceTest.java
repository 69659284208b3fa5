package org.vaaitarget.core.spc.pr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vaaitarget.core.spc.pr.PrFixture.A;
import static org.vaaitarget.core.spc.pr.PrFixture.B;
import static org.vaaitarget.core.spc.pr.PrFixture.assertStatus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.core.assembly.StandardHandlers;
import org.vaaitarget.core.dispatch.TargetDevice;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.assembly.LogicalUnits;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.testkit.Harness;
import org.vaaitarget.core.testkit.Reply;
import org.vaaitarget.core.lu.pr.PrOutRequest;
import org.vaaitarget.core.lu.pr.PrSnapshot;
import org.vaaitarget.core.lu.pr.PrStateFile;
import org.vaaitarget.core.lu.pr.Registration;
import org.vaaitarget.core.lu.pr.ReservationState;
import org.vaaitarget.core.lu.pr.ReservationType;
import org.vaaitarget.core.dispatch.ParameterData;

/** APTPL (SPC-5 5.14.5): state persisted beside the LUN file and restored on reopen; nothing without APTPL. */
class AptplPersistenceTest {
    private static final int APTPL = 0x01;

    @TempDir
    Path dir;

    private PrStateFile file() {
        return PrStateFile.beside(dir.resolve("lun0.img"));
    }

    @Test
    void aptplStateSurvivesAReopen() throws IOException {
        ReservationState state = ReservationState.open(file());
        PrFixture f = new PrFixture(state);
        assertStatus(ScsiStatus.GOOD, f.prOut(A, PrOutRequest.REGISTER, null, 0, 0xA, APTPL));
        // The last REGISTER's APTPL governs the LU (SPC-5 5.14.5), so B sets it too.
        assertStatus(ScsiStatus.GOOD, f.prOut(B, PrOutRequest.REGISTER_AND_IGNORE, null, 0, 0xB, APTPL));
        assertStatus(ScsiStatus.GOOD, f.reserve(A, 0xA, ReservationType.WRITE_EXCLUSIVE));
        Reply caps = f.prIn(A, PrInHandler.REPORT_CAPABILITIES);
        assertEquals(0x15, caps.u8(2), "PTPL_C for a file-backed LU");
        assertEquals(0x91, caps.u8(3), "PTPL_A");
        state.flushed().join();
        assertTrue(Files.exists(file().path()));

        PrFixture after = new PrFixture(ReservationState.open(file()));          // "restart"
        PrSnapshot s = after.lu.reservations().snapshot();
        assertEquals(List.of(new Registration(A, 0xA), new Registration(B, 0xB)), s.registrations());
        assertEquals(ReservationType.WRITE_EXCLUSIVE, s.type());
        assertEquals(A, s.holder());
        assertTrue(s.aptpl());
        assertStatus(ScsiStatus.RESERVATION_CONFLICT, after.write10(B));
        assertStatus(ScsiStatus.GOOD, after.write10(A));
        after.h.assertDataOutReleasedOnce();
        f.h.assertDataOutReleasedOnce();
    }

    @Test
    void allRegistrantsReservationIsRestoredWithoutAHolder() throws IOException {
        ReservationState state = ReservationState.open(file());
        PrFixture f = new PrFixture(state);
        f.prOut(A, PrOutRequest.REGISTER_AND_IGNORE, null, 0, 0xA, APTPL);
        f.reserve(A, 0xA, ReservationType.EXCLUSIVE_ACCESS_ALL_REGISTRANTS);
        state.flushed().join();
        PrSnapshot s = ReservationState.open(file()).snapshot();
        assertEquals(ReservationType.EXCLUSIVE_ACCESS_ALL_REGISTRANTS, s.type());
        assertNull(s.holder());
        f.h.assertDataOutReleasedOnce();
    }

    @Test
    void clearingAptplRemovesTheFile() throws IOException {
        ReservationState state = ReservationState.open(file());
        PrFixture f = new PrFixture(state);
        f.prOut(A, PrOutRequest.REGISTER, null, 0, 0xA, APTPL);
        state.flushed().join();
        assertTrue(Files.exists(file().path()));
        assertStatus(ScsiStatus.GOOD, f.prOut(A, PrOutRequest.REGISTER, null, 0xA, 0xA1, 0));    // APTPL=0
        state.flushed().join();
        assertFalse(Files.exists(file().path()));
        assertTrue(ReservationState.open(file()).snapshot().registrations().isEmpty());
        f.h.assertDataOutReleasedOnce();
    }

    @Test
    void withoutAptplNothingSurvives() throws IOException {
        ReservationState state = ReservationState.open(file());
        PrFixture f = new PrFixture(state);
        f.register(A, 0xA);
        f.reserve(A, 0xA, ReservationType.EXCLUSIVE_ACCESS);
        state.flushed().join();
        assertFalse(Files.exists(file().path()));
        PrSnapshot s = ReservationState.open(file()).snapshot();
        assertTrue(s.registrations().isEmpty());
        assertNull(s.type());
        f.h.assertDataOutReleasedOnce();
    }

    @Test
    void unregisteringTheLastRegistrantRemovesTheFile() throws IOException {
        ReservationState state = ReservationState.open(file());
        PrFixture f = new PrFixture(state);
        f.prOut(A, PrOutRequest.REGISTER, null, 0, 0xA, APTPL);
        f.prOut(A, PrOutRequest.REGISTER, null, 0xA, 0, 0);
        state.flushed().join();
        assertFalse(Files.exists(file().path()));
        f.h.assertDataOutReleasedOnce();
    }

    @Test
    void aCorruptFileIsAnErrorNotSilentlyForgotten() throws IOException {
        Files.writeString(file().path(), "reg zz 1 000000000000 iqn.t iqn.i\n");
        IOException e = assertThrows(IOException.class, () -> ReservationState.open(file()));
        assertTrue(e.getMessage().contains(file().path().toString()), e.getMessage());
    }

    /** Through LogicalUnits.open, as the server opens LUNs: register with APTPL, close, reopen. */
    @Test
    void fileLunRestoresItsRegistrationsOnRestart() throws Exception {
        LunConfig config = new LunConfig(dir.resolve("disk.img"), 1 << 20, 512, LunConfig.WriteCacheMode.WRITE_BACK, null);
        LogicalUnit lu = LogicalUnits.open(0, config);
        Harness h = new Harness(new TargetDevice(Harness.TARGET, List.of(lu), StandardHandlers.all()));
        h.clearUa(A, 0);
        byte[] list = new byte[24];
        ParameterData.put64(list, 8, 0x1234);
        list[20] = APTPL;
        assertStatus(ScsiStatus.GOOD, h.run(A, 0, Harness.cdb(0x5F, 0, 0, 0, 0, 0, 0, 0, 24, 0), list));
        h.device.close();
        LogicalUnit reopened = LogicalUnits.open(0, config);
        try {
            assertEquals(List.of(new Registration(A, 0x1234)), reopened.reservations().snapshot().registrations());
        } finally {
            reopened.close();
        }
        h.assertDataOutReleasedOnce();
    }
}
