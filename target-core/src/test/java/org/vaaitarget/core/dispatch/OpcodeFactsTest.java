package org.vaaitarget.core.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.vaaitarget.core.spc.pr.ConflictPolicy;

/**
 * Every per-opcode fact of the standard dispatch table, written down once from the tables the gates
 * used before the facts moved into {@link CommandSpec} (ExecutionGates.EXEMPTIONS and
 * SERVED_WITHOUT_MEDIUM, MediumChanges, ConflictPolicy.PR_TABLE and SCSI2_EXEMPT, the REPORT LUNS and
 * SANITIZE special cases).
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
    void theStandardTableServesExactlyTheseCommands() {
        Set<String> served = new HashSet<>();
        for (CommandSpec s : standardTable().specs()) {
            served.add(key(s));
        }
        assertEquals(today().keySet(), served);
    }

    @Test
    void theFactsAreTodays() throws Exception {
        Map<String, Row> rows = today();
        for (CommandSpec s : standardTable().specs()) {
            Row row = rows.get(key(s));
            assertNotNull(row, s.name());
            assertEquals(row, factsOf(s), s.name());
        }
    }

    /** The facts as the code states them (before the move: read from the old tables). */
    private static Row factsOf(CommandSpec s) throws Exception {
        int op = s.opcode();
        Map<?, ?> exemptions = (Map<?, ?>) field(ExecutionGates.class, "EXEMPTIONS");
        Object ex = exemptions.get(op);
        String gates = "-";
        if (ex != null) {
            boolean any = (boolean) ex.getClass().getMethod("anyLun").invoke(ex);
            boolean ua = (boolean) ex.getClass().getMethod("uaHandledByCommand").invoke(ex);
            boolean nr = (boolean) ex.getClass().getMethod("whileNotReady").invoke(ex);
            assertTrue(any && ua && nr, s.name());
            gates = "exempt";
        }
        Set<?> withoutMedium = (Set<?>) field(ExecutionGates.class, "SERVED_WITHOUT_MEDIUM");
        Method changes = MediumChanges.class.getDeclaredMethod("changesMedium", int.class);
        changes.setAccessible(true);
        String medium = (boolean) changes.invoke(null, op) ? "changes" : withoutMedium.contains(op) ? "none" : "needed";
        String extra = op == 0xA0 ? "inventory" : op == 0x48 ? "sanitize" : "-";
        return new Row(s.access().name(), gates, medium, prClass(s), scsi2(s), extra);
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
        if (s.opcode() == 0x1B && ConflictPolicy.prClass(s, start) == ConflictPolicy.PrClass.ALLOWED
                && p.equals("WRITE")) {
            return "START";
        }
        if (s.opcode() == 0x1E && ConflictPolicy.prClass(s, prevent) == ConflictPolicy.PrClass.WRITE
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

    private static Object field(Class<?> c, String name) throws Exception {
        Field f = c.getDeclaredField(name);
        f.setAccessible(true);
        return f.get(null);
    }
}
