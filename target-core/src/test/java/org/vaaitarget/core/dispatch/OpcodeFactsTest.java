package org.vaaitarget.core.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.vaaitarget.core.dispatch.CommandSpec.Medium;
import org.vaaitarget.core.dispatch.CommandSpec.PrClass;
import org.vaaitarget.core.dispatch.CommandSpec.Scsi2;
import org.vaaitarget.core.dispatch.CommandSpec.Trait;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.spc.SpcHandlers;
import org.vaaitarget.core.assembly.StandardHandlers;
import org.vaaitarget.core.testkit.Harness;
import org.vaaitarget.core.testkit.Reply;

/**
 * Every per-opcode fact of the standard dispatch table, written down once from the tables the gates
 * used before the facts moved into {@link CommandSpec} (ExecutionGates.EXEMPTIONS and
 * SERVED_WITHOUT_MEDIUM, MediumChanges, ConflictPolicy.PR_TABLE and SCSI2_EXEMPT, the REPORT LUNS and
 * SANITIZE special cases; this test read them from there before the move), so the move changed no
 * command's treatment. A command added later only needs its spec: {@link #theFactsAreTodays} checks the
 * commands of today, {@link #everyEntryStatesEachFact} every entry.
 */
class OpcodeFactsTest {

    /**
     * One row a command: opcode[/service action], access, gates 1-3 exemption (any LUN, own unit
     * attention, served while not ready), medium (none: served while ejected; needed; changes: refused
     * when write-protected), PR class (START and PREVENT depend on the CDB), SCSI-2 (held, exempt, or
     * PREVENT: exempt with PREVENT 00b), extra (inventory: REPORT LUNS shows it; sanitize: served in the
     * sanitize failure mode).
     */
    private static final String TODAY = """
            00    NONE  -      needed  ALLOWED  held     -
            03    NONE  exempt none    ALLOWED  exempt   -
            08    READ  -      needed  READ     held     -
            0A    WRITE -      changes WRITE    held     -
            12    NONE  exempt none    ALLOWED  exempt   -
            15    WRITE -      none    WRITE    held     -
            16    NONE  -      none    WRITE    held     -
            17    NONE  -      none    WRITE    exempt   -
            1A    NONE  -      none    READ     held     -
            1B    NONE  -      none    START    held     -
            1E    NONE  -      none    PREVENT  PREVENT  -
            25    NONE  -      needed  ALLOWED  held     -
            28    READ  -      needed  READ     held     -
            2A    WRITE -      changes WRITE    held     -
            2E    WRITE -      changes WRITE    held     -
            2F    READ  -      needed  READ     held     -
            34    READ  -      needed  READ     held     -
            35    WRITE -      needed  WRITE    held     -
            37    NONE  -      needed  ALLOWED  held     -
            41    WRITE -      changes WRITE    held     -
            42    WRITE -      changes WRITE    held     -
            48/01 WRITE -      changes WRITE    held     sanitize
            48/02 WRITE -      changes WRITE    held     sanitize
            48/1F WRITE -      changes WRITE    held     sanitize
            55    WRITE -      none    WRITE    held     -
            56    NONE  -      none    WRITE    held     -
            57    NONE  -      none    WRITE    exempt   -
            5A    NONE  -      none    READ     held     -
            5E/00 NONE  -      none    ALLOWED  held     -
            5E/01 NONE  -      none    ALLOWED  held     -
            5E/02 NONE  -      none    ALLOWED  held     -
            5E/03 NONE  -      none    ALLOWED  held     -
            5F/00 NONE  -      none    ALLOWED  held     -
            5F/01 NONE  -      none    ALLOWED  held     -
            5F/02 NONE  -      none    ALLOWED  held     -
            5F/03 NONE  -      none    ALLOWED  held     -
            5F/04 NONE  -      none    ALLOWED  held     -
            5F/05 NONE  -      none    ALLOWED  held     -
            5F/06 NONE  -      none    ALLOWED  held     -
            5F/07 NONE  -      none    ALLOWED  held     -
            83/00 WRITE -      needed  WRITE    held     -
            84/00 NONE  -      none    ALLOWED  held     -
            84/03 NONE  -      none    ALLOWED  held     -
            84/04 NONE  -      none    ALLOWED  held     -
            88    READ  -      needed  READ     held     -
            89    WRITE -      changes WRITE    held     -
            8A    WRITE -      changes WRITE    held     -
            8B    WRITE -      changes WRITE    held     -
            8E    WRITE -      changes WRITE    held     -
            8F    READ  -      needed  READ     held     -
            90    READ  -      needed  READ     held     -
            91    WRITE -      needed  WRITE    held     -
            93    WRITE -      changes WRITE    held     -
            9C    WRITE -      changes WRITE    held     -
            9E/10 NONE  -      needed  ALLOWED  held     -
            9E/12 READ  -      needed  READ     held     -
            A0    NONE  exempt none    ALLOWED  exempt   inventory
            A3/0A NONE  -      none    READ     held     -
            A3/0C NONE  -      none    READ     held     -
            A8    READ  -      needed  READ     held     -
            AA    WRITE -      changes WRITE    held     -
            AE    WRITE -      changes WRITE    held     -
            AF    READ  -      needed  READ     held     -
            B7    NONE  -      needed  ALLOWED  held     -
            """;

    private record Row(String access, String gates, String medium, String pr, String scsi2, String extra) {
    }

    private static Map<String, Row> today() {
        Map<String, Row> rows = new HashMap<>();
        for (String line : TODAY.strip().split("\n")) {
            String[] f = line.trim().split("\\s+");
            rows.put(f[0], new Row(f[1], f[2], f[3], f[4], f[5], f[6]));
        }
        return rows;
    }

    private static String key(CommandSpec s) {
        return s.serviceAction() < 0 ? String.format("%02X", s.opcode())
                : String.format("%02X/%02X", s.opcode(), s.serviceAction());
    }

    private static HandlerTable standardTable() {
        return new HandlerTable(StandardHandlers.all());
    }

    @Test
    void theStandardTableStillServesTodaysCommands() {
        Set<String> served = new HashSet<>();
        for (CommandSpec s : standardTable().specs()) {
            served.add(key(s));
        }
        Set<String> missing = new HashSet<>(today().keySet());
        missing.removeAll(served);
        assertEquals(Set.of(), missing);
    }

    @Test
    void theFactsAreTodays() {
        Map<String, Row> rows = today();
        for (CommandSpec s : standardTable().specs()) {
            Row row = rows.get(key(s));
            if (row != null) {          // a command added later is checked by everyEntryStatesEachFact only
                assertEquals(row, factsOf(s), s.name());
            }
        }
    }

    @Test
    void everyEntryStatesEachFact() {
        for (CommandSpec s : standardTable().specs()) {
            assertNotNull(s.access(), s.name());
            assertNotNull(s.medium(), s.name());
            assertNotNull(s.reservation(), s.name());
            assertNotNull(s.scsi2(), s.name());
            assertNotNull(s.traits(), s.name());
        }
        assertThrows(NullPointerException.class, () -> CommandSpec.command("X", "C0 00 00 00 00 00",
                DataAccess.NONE, null, PrClass.ALLOWED, Scsi2.HELD));
        assertThrows(IllegalArgumentException.class, () -> CommandSpec.command("X", "C0 00 00 00 00 00",
                DataAccess.READ, Medium.CHANGED, PrClass.WRITE, Scsi2.HELD));
    }

    /**
     * The facts as the code states them: the gate exemptions and the medium from the spec (the gates read
     * nothing else), the reservation classes through {@link ConflictPolicy}, which resolves them per CDB.
     */
    private static Row factsOf(CommandSpec s) {
        Set<Trait> gateTraits = EnumSet.of(Trait.ANY_LUN, Trait.OWN_UNIT_ATTENTION, Trait.WHILE_NOT_READY);
        gateTraits.retainAll(s.traits());
        assertTrue(gateTraits.isEmpty() || gateTraits.size() == 3, s.name() + ": today these three go together");
        String gates = gateTraits.isEmpty() ? "-" : "exempt";
        String medium = switch (s.medium()) {
            case NOT_NEEDED -> "none";
            case NEEDED -> "needed";
            case CHANGED -> "changes";
        };
        String extra = s.has(Trait.SHOWS_INVENTORY) ? "inventory" : s.has(Trait.IN_SANITIZE_FAILURE) ? "sanitize" : "-";
        return new Row(s.access().name(), gates, medium, prClass(s), scsi2(s), extra);
    }

    /** Two vendor-specific commands a test adds: the gates treat them as their specs say, nothing else. */
    @Test
    void aNewCommandIsGatedByWhatItsSpecDeclares() {
        List<CommandHandler> handlers = new ArrayList<>(SpcHandlers.all());
        handlers.add(Harness.goodHandler(CommandSpec.command("CHANGER", "C1 00 00 00 00 00",
                DataAccess.WRITE, Medium.CHANGED, PrClass.WRITE, Scsi2.HELD)));
        handlers.add(Harness.goodHandler(CommandSpec.command("STATUS", "C2 00 00 00 00 00",
                DataAccess.NONE, Medium.NOT_NEEDED, PrClass.ALLOWED, Scsi2.EXEMPT,
                Trait.ANY_LUN, Trait.OWN_UNIT_ATTENTION, Trait.WHILE_NOT_READY)));
        Harness h = Harness.of(List.of(Harness.lu(0, Harness.THIN_WRITE_BACK)), handlers);
        assertEquals(ScsiStatus.GOOD, h.run(Harness.A, 7, 0xC2, 0, 0, 0, 0, 0).status(), "any LUN");
        assertEquals(ScsiStatus.GOOD, h.run(Harness.A, 0, 0xC2, 0, 0, 0, 0, 0).status(), "no unit attention");
        Harness.assertCheck(h.run(Harness.A, 7, 0xC1, 0, 0, 0, 0, 0), SenseReason.LOGICAL_UNIT_NOT_SUPPORTED);
        h.clearUa(Harness.A, 0);
        assertEquals(ScsiStatus.GOOD, h.run(Harness.A, 0, 0xC1, 0, 0, 0, 0, 0).status());

        // Software write protect (control mode page SWP): the command that changes the medium is refused.
        Reply current = h.run(Harness.A, 0, 0x1A, 0x08, 0x0A, 0, 255, 0);
        byte[] page = Arrays.copyOfRange(current.data(), 4, 4 + 12);
        page[4] |= 0x08;
        byte[] list = new byte[4 + page.length];
        System.arraycopy(page, 0, list, 4, page.length);
        assertEquals(ScsiStatus.GOOD, h.run(Harness.A, 0, Harness.cdb(0x15, 0x10, 0, 0, list.length, 0), list).status());
        Harness.assertCheck(h.run(Harness.A, 0, 0xC1, 0, 0, 0, 0, 0), SenseReason.WRITE_PROTECTED);
        assertEquals(ScsiStatus.GOOD, h.run(Harness.A, 0, 0xC2, 0, 0, 0, 0, 0).status());
        h.assertDataOutReleasedOnce();
    }

    /** The PR class, with the CDB-dependent ones named by what they depend on. */
    private static String prClass(CommandSpec s) {
        byte[] plain = new byte[s.cdbLength()];
        plain[0] = (byte) s.opcode();
        byte[] start = plain.clone();
        start[4] = 0x01;
        byte[] prevent = plain.clone();
        prevent[4] = 0x01;
        String p = ConflictPolicy.prClass(s, plain).name();
        if (s.opcode() == 0x1B && ConflictPolicy.prClass(s, start) == PrClass.ALLOWED
                && p.equals("WRITE")) {
            return "START";
        }
        if (s.opcode() == 0x1E && ConflictPolicy.prClass(s, prevent) == PrClass.WRITE
                && p.equals("ALLOWED")) {
            return "PREVENT";
        }
        return p;
    }

    private static String scsi2(CommandSpec s) {
        byte[] plain = new byte[s.cdbLength()];
        plain[0] = (byte) s.opcode();
        byte[] prevent = plain.clone();
        prevent[4] = 0x01;
        boolean exempt = ConflictPolicy.scsi2Exempt(s, plain);
        if (exempt && !ConflictPolicy.scsi2Exempt(s, prevent)) {
            return "PREVENT";
        }
        return exempt ? "exempt" : "held";
    }
}
