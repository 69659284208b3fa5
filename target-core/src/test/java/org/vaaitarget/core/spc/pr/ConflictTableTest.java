package org.vaaitarget.core.spc.pr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.vaaitarget.core.spc.pr.PrFixture.A;
import static org.vaaitarget.core.spc.pr.PrFixture.B;

import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vaaitarget.core.dispatch.CommandSpec;
import org.vaaitarget.core.dispatch.HandlerTable;
import org.vaaitarget.core.assembly.StandardHandlers;
import org.vaaitarget.core.dispatch.ConflictPolicy;
import org.vaaitarget.core.lu.pr.ReservationType;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.dispatch.CommandSpec.PrClass;
import org.vaaitarget.core.testkit.Harness;
import org.vaaitarget.core.testkit.Reply;

/** The SPC-5 5.14.2 / SBC-4 4.17 conflict table, through the dispatcher's reservation gate. */
class ConflictTableTest {

    private record Probe(String name, Function<PrFixture, Function<org.vaaitarget.core.scsi.ItNexus, Reply>> send,
                         PrClass cls) {
    }

    private static final Probe[] PROBES = {
        new Probe("TEST UNIT READY", f -> f::tur, PrClass.ALLOWED),
        new Probe("INQUIRY", f -> n -> f.h.run(n, 0, 0x12, 0, 0, 0, 36, 0), PrClass.ALLOWED),
        new Probe("READ CAPACITY(10)", f -> n -> f.h.run(n, 0, 0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0), PrClass.ALLOWED),
        new Probe("PERSISTENT RESERVE IN", f -> n -> f.prIn(n, PrInHandler.READ_KEYS), PrClass.ALLOWED),
        new Probe("READ(10)", f -> f::read10, PrClass.READ),
        new Probe("MODE SENSE(6)", f -> n -> f.h.run(n, 0, 0x1A, 0, 0x3F, 0, 0xFF, 0), PrClass.READ),
        new Probe("WRITE(10)", f -> f::write10, PrClass.WRITE),
        new Probe("COMPARE AND WRITE", f -> f::caw, PrClass.WRITE),
        new Probe("SYNCHRONIZE CACHE(10)", f -> n -> f.h.run(n, 0, 0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0), PrClass.WRITE),
        new Probe("RESERVE(6)", f -> n -> f.h.run(n, 0, 0x16, 0, 0, 0, 0, 0), PrClass.WRITE),
    };

    @ParameterizedTest
    @EnumSource(ReservationType.class)
    void nonRegisteredNexusIsHeldBackAsTheTableSays(ReservationType type) {
        PrFixture f = new PrFixture();
        f.register(A, 0xA);
        PrFixture.assertStatus(ScsiStatus.GOOD, f.reserve(A, 0xA, type));
        for (Probe p : PROBES) {
            boolean conflict = ConflictPolicy.prConflict(p.cls(), type);
            assertEquals(conflict ? ScsiStatus.RESERVATION_CONFLICT : ScsiStatus.GOOD, p.send().apply(f).apply(B).status(),
                    p.name() + " from a non-registrant under " + type);
            if (p.cls() != PrClass.WRITE || p.name().startsWith("RESERVE")) {
                continue;
            }
            assertEquals(ScsiStatus.GOOD, p.send().apply(f).apply(A).status(), p.name() + " from the holder");
        }
        f.h.assertDataOutReleasedOnce();
    }

    @ParameterizedTest
    @EnumSource(ReservationType.class)
    void registeredNonHolderHasAccessOnlyUnderRegistrantsTypes(ReservationType type) {
        PrFixture f = new PrFixture();
        f.register(A, 0xA);
        f.register(B, 0xB);
        f.reserve(A, 0xA, type);
        ScsiStatus write = f.write10(B).status();
        ScsiStatus read = f.read10(B).status();
        assertEquals(type.registrantsOnly() ? ScsiStatus.GOOD : ScsiStatus.RESERVATION_CONFLICT, write, type.name());
        assertEquals(type.registrantsOnly() || !type.exclusiveAccess() ? ScsiStatus.GOOD
                : ScsiStatus.RESERVATION_CONFLICT, read, type.name());
        f.h.assertDataOutReleasedOnce();
    }

    @Test
    void registrationsAloneHoldNobodyBack() {
        PrFixture f = new PrFixture();
        f.register(A, 0xA);
        PrFixture.assertStatus(ScsiStatus.GOOD, f.write10(B));
        PrFixture.assertStatus(ScsiStatus.GOOD, f.caw(B));
        f.h.assertDataOutReleasedOnce();
    }

    @Test
    void laterMediumCommandsAreWritesAndPreventAllowDependsOnItsCdb() {
        // WRITE SAME, UNMAP and EXTENDED COPY (other handlers) are held back by every type.
        HandlerTable table = new HandlerTable(StandardHandlers.all());
        for (byte[] cdb : new byte[][] {Harness.cdb(0x41, 0, 0, 0, 0, 0, 0, 0, 0, 0), Harness.cdb(0x93),
                Harness.cdb(0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0), Harness.cdb(0x83, 0)}) {
            CommandSpec spec = ((HandlerTable.Found) table.lookup(cdb)).entry().spec();
            assertEquals(PrClass.WRITE, ConflictPolicy.prClass(spec, new byte[16]), spec.name());
        }
        CommandSpec preventAllow = table.find(0x1E, -1).orElseThrow();
        assertEquals(PrClass.ALLOWED, ConflictPolicy.prClass(preventAllow, Harness.cdb(0x1E, 0, 0, 0, 0, 0)));
        assertEquals(PrClass.WRITE, ConflictPolicy.prClass(preventAllow, Harness.cdb(0x1E, 0, 0, 0, 1, 0)));
    }
}
