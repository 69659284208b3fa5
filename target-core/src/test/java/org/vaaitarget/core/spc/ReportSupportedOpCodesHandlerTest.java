package org.vaaitarget.core.spc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.vaaitarget.core.testkit.Harness.A;
import static org.vaaitarget.core.testkit.Harness.assertCheck;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vaaitarget.core.dispatch.CommandHandler;
import org.vaaitarget.core.dispatch.CommandSpec;
import org.vaaitarget.core.dispatch.CommandSpec.Scsi2;
import org.vaaitarget.core.dispatch.CommandSpec.PrClass;
import org.vaaitarget.core.dispatch.CommandSpec.Medium;
import org.vaaitarget.core.dispatch.DataAccess;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.testkit.Harness;
import org.vaaitarget.core.testkit.Reply;

/** REPORT SUPPORTED OPERATION CODES (SPC-5 6.35), against the dispatch table. */
class ReportSupportedOpCodesHandlerTest {
    /** A handler added "later" (e.g. by the SBC helper), with a service action. */
    private static final CommandSpec LATER = CommandSpec.command(0x10, "READ CAPACITY(16)",
            "9E 1F 00 00 00 00 00 00 00 00 FF FF FF FF 00 00", DataAccess.NONE, Medium.NEEDED, PrClass.ALLOWED, Scsi2.HELD);
    private final Harness h;

    ReportSupportedOpCodesHandlerTest() {
        List<CommandHandler> handlers = new ArrayList<>(SpcHandlers.all());
        handlers.add(Harness.goodHandler(LATER));
        h = Harness.of(List.of(Harness.lu(0, Harness.THIN_WRITE_BACK)), handlers);
        h.clearUa(A, 0);
    }

    private Reply rsoc(int rctdAndOptions, int opcode, int sa, long alloc) {
        return h.run(A, 0, 0xA3, 0x0C, rctdAndOptions, opcode, sa >>> 8, sa & 0xFF, (int) (alloc >>> 24) & 0xFF,
                (int) (alloc >>> 16) & 0xFF, (int) (alloc >>> 8) & 0xFF, (int) alloc & 0xFF, 0, 0);
    }

    @Test
    void allCommandsListExactlyTheDispatchTable() {
        Reply r = rsoc(0, 0, 0, 65535);
        assertEquals(ScsiStatus.GOOD, r.status());
        List<CommandSpec> table = h.device.commands().specs();
        assertEquals(8L * table.size(), r.u32(0));
        for (int i = 0; i < table.size(); i++) {
            int p = 4 + 8 * i;
            CommandSpec s = table.get(i);
            assertEquals(s.opcode(), r.u8(p));
            boolean sa = s.serviceAction() >= 0;
            assertEquals(sa ? s.serviceAction() : 0, r.u16(p + 2));
            assertEquals(sa ? 1 : 0, r.u8(p + 5) & 0x01, "SERVACTV");
            assertEquals(0, r.u8(p + 5) & 0x02, "CTDP without RCTD");
            assertEquals(s.cdbLength(), r.u16(p + 6));
        }
        List<Integer> opcodes = new ArrayList<>();
        for (CommandSpec s : table) {
            opcodes.add(s.opcode());
        }
        assertEquals(List.of(0x00, 0x03, 0x12, 0x15, 0x1A, 0x1B, 0x1E, 0x55, 0x5A, 0x9E, 0xA0, 0xA3, 0xA3), opcodes);
    }

    @Test
    void rctdAddsTimeoutsDescriptors() {
        Reply r = rsoc(0x80, 0, 0, 65535);
        int n = h.device.commands().specs().size();
        assertEquals(20L * n, r.u32(0));
        for (int i = 0; i < n; i++) {
            int p = 4 + 20 * i;
            assertEquals(0x02, r.u8(p + 5) & 0x02, "CTDP");
            assertEquals(0x0A, r.u16(p + 8), "timeouts descriptor length");
        }
    }

    @Test
    void aServiceActionIsReportedAsItsValueInTheUsageData() {
        // SPC-5 6.35.4: the SERVICE ACTION field of the CDB USAGE DATA holds the service action, not a mask
        Reply r = rsoc(2, 0x9E, 0x10, 65535);
        assertEquals(0x9E, r.u8(4));
        assertEquals(0x10, r.u8(5), "READ CAPACITY(16)'s service action, where its map has 1Fh");
        assertEquals(0xFF, r.u8(4 + 10), "the rest is the usage map");
    }

    @Test
    void oneCommandByOpcode() {
        Reply tur = rsoc(1, 0x00, 0, 65535);
        assertEquals(0x03, tur.u8(1) & 0x07, "SUPPORT: supported");
        assertEquals(6, tur.u16(2));
        assertArrayEquals(h.device.commands().find(0x00, -1).orElseThrow().cdbUsageMap(), Arrays.copyOfRange(tur.data(), 4, 10));
        Reply missing = rsoc(1, 0x42, 0, 65535);
        assertEquals(0x01, missing.u8(1) & 0x07, "SUPPORT: not supported");
        assertEquals(0, missing.u16(2));
        assertCheck(rsoc(1, 0xA3, 0x0C, 65535), SenseReason.INVALID_FIELD_IN_CDB);  // has service actions
    }

    @Test
    void oneCommandByOpcodeAndServiceAction() {
        Reply self = rsoc(2, 0xA3, 0x0C, 65535);
        assertEquals(0x03, self.u8(1) & 0x07);
        assertEquals(12, self.u16(2));
        assertEquals(0xA3, self.u8(4));
        Reply rc16 = rsoc(2, 0x9E, 0x10, 65535);
        assertEquals(16, rc16.u16(2));
        assertEquals(0x01, rsoc(2, 0x9E, 0x11, 65535).u8(1) & 0x07, "unserved service action");
        assertCheck(rsoc(2, 0x12, 0, 65535), SenseReason.INVALID_FIELD_IN_CDB);      // no service actions
        assertEquals(0x03, rsoc(3, 0x12, 0, 65535).u8(1) & 0x07);
        assertEquals(0x03, rsoc(3, 0x9E, 0x10, 65535).u8(1) & 0x07);
        Reply withTimeouts = rsoc(0x81, 0x12, 0, 65535);
        assertEquals(0x80, withTimeouts.u8(1) & 0x80, "CTDP");
        assertEquals(4 + 6 + 12, withTimeouts.data().length);
    }

    @Test
    void invalidReportingOptionsAndTruncation() {
        assertCheck(rsoc(4, 0, 0, 65535), SenseReason.INVALID_FIELD_IN_CDB);
        Reply cut = rsoc(0, 0, 0, 10);
        assertEquals(10, cut.data().length);
        assertEquals(8L * h.device.commands().specs().size(), cut.u32(0));
    }
}
