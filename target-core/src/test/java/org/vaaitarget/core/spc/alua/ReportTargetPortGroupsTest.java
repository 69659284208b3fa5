package org.vaaitarget.core.spc.alua;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.vaaitarget.core.testkit.Harness.A;
import static org.vaaitarget.core.testkit.Harness.B;
import static org.vaaitarget.core.testkit.Harness.assertCheck;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.vaaitarget.core.dispatch.CommandHandler;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.spc.SpcHandlers;
import org.vaaitarget.core.lu.TargetPortGroups.AccessState;
import org.vaaitarget.core.lu.TargetPortGroups.PortGroup;
import org.vaaitarget.core.testkit.Harness;
import org.vaaitarget.core.testkit.Reply;
import org.vaaitarget.core.lu.TargetPortGroups;

/** INQUIRY TPGS, the VPD 83h TARGET PORT GROUP designator and REPORT TARGET PORT GROUPS (SPC-5 6.36) of a multi-gateway LU. */
class ReportTargetPortGroupsTest {
    private static final TargetPortGroups TWO = () -> CompletableFuture.completedFuture(List.of(
            new PortGroup(1, AccessState.ACTIVE_OPTIMIZED, List.of(1)),
            new PortGroup(2, AccessState.STANDBY, List.of(2))));

    private static Harness harness(LogicalUnit lu) {
        List<CommandHandler> handlers = new ArrayList<>(SpcHandlers.all());
        handlers.add(new ReportTargetPortGroupsHandler());
        return Harness.of(List.of(lu), handlers);
    }

    @Test
    void reportsEveryGroupWithItsStateAndPortTheSameThroughEveryPort() {
        Harness h = harness(Harness.aluaLu(0, TWO));
        Reply a = h.run(A, 0, 0xA3, 0x0A, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0);
        assertEquals(ScsiStatus.GOOD, a.status());
        assertEquals(28, a.data().length);
        assertEquals(24, a.u32(0), "RETURN DATA LENGTH");
        assertEquals(0x00, a.u8(4), "group 1 active/optimized");
        assertEquals(ReportTargetPortGroupsHandler.SUPPORTED, a.u8(5));
        assertEquals(1, a.u16(6));
        assertEquals(1, a.u8(11), "TARGET PORT COUNT");
        assertEquals(1, a.u16(14), "relative target port 1");
        assertEquals(0x02, a.u8(16), "group 2 standby");
        assertEquals(2, a.u16(18));
        assertEquals(2, a.u16(26));
        Reply b = h.run(B, 0, 0xA3, 0x0A, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0);
        assertArrayEquals(a.data(), b.data());
    }

    @Test
    void extendedHeaderAndAllocationLength() {
        Harness h = harness(Harness.aluaLu(0, TWO));
        Reply r = h.run(A, 0, 0xA3, 0x2A, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0);
        assertEquals(10, r.data().length);
        assertEquals(24, r.u32(0));
        assertEquals(0x10, r.u8(4), "FORMAT TYPE 001b");
        assertEquals(ReportTargetPortGroupsHandler.IMPLICIT_TRANSITION_SECONDS, r.u8(5));
        assertCheck(h.run(A, 0, 0xA3, 0x4A, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0), SenseReason.INVALID_FIELD_IN_CDB);
    }

    @Test
    void aSingleServerLuHasNoPortGroups() {
        Harness h = harness(Harness.lu(0, Harness.THIN_WRITE_BACK));
        assertCheck(h.run(A, 0, 0xA3, 0x0A, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0), SenseReason.INVALID_COMMAND_OPERATION_CODE);
        assertEquals(0x00, h.run(A, 0, 0x12, 0, 0, 0, 96, 0).u8(5) & 0x30, "TPGS=0");
        assertEquals(0x01, rsocSupport(h), "REPORT SUPPORTED OPERATION CODES: RTPG not supported (SUPPORT 001b)");
        assertEquals(0x03, rsocSupport(harness(Harness.aluaLu(0, TWO))), "supported where there are port groups");
    }

    /** The SUPPORT field REPORT SUPPORTED OPERATION CODES gives REPORT TARGET PORT GROUPS (opcode and service action). */
    private static int rsocSupport(Harness h) {
        Reply r = h.run(A, 0, 0xA3, 0x0C, 2, 0xA3, 0, 0x0A, 0, 0, 1, 0, 0, 0);
        assertEquals(ScsiStatus.GOOD, r.status());
        return r.u8(1) & 0x07;
    }

    @Test
    void allTargetPortsIsNotClaimedWhenEachGatewayIsItsOwnPort() {
        List<CommandHandler> handlers = new ArrayList<>(org.vaaitarget.core.assembly.StandardHandlers.all());
        Harness h = Harness.of(List.of(Harness.aluaLu(0, TWO)), handlers);
        Reply caps = h.run(A, 0, 0x5E, 0x02, 0, 0, 0, 0, 0, 0, 8, 0);
        assertEquals(0, caps.u8(2) & 0x04, "ATP_C=0");
        byte[] register = new byte[24];
        register[15] = 1;          // SERVICE ACTION RESERVATION KEY 1
        register[20] = 0x04;       // ALL_TG_PT
        Reply r = h.run(A, 0, Harness.cdb(0x5F, 0x00, 0, 0, 0, 0, 0, 0, 24, 0), register);
        assertCheck(r, SenseReason.INVALID_FIELD_IN_PARAMETER_LIST);
    }

    @Test
    void inquiryAndDeviceIdentificationNameTheGroupOfThePort() {
        Harness h = harness(Harness.aluaLu(0, TWO));
        assertEquals(0x10, h.run(A, 0, 0x12, 0, 0, 0, 96, 0).u8(5) & 0x30, "TPGS=01b implicit");
        for (var nexus : List.of(A, B)) {
            byte[] page = h.run(nexus, 0, 0x12, 0x01, 0x83, 1, 0, 0).data();
            boolean found = false;
            for (int off = 4; off < page.length; off += 4 + (page[off + 3] & 0xFF)) {
                if ((page[off + 1] & 0x3F) == 0x15) { // association 01b (port), type 5h (target port group)
                    assertArrayEquals(new byte[] {0, 0, 0, (byte) nexus.relativeTargetPort()},
                            Arrays.copyOfRange(page, off + 4, off + 8));
                    found = true;
                }
            }
            assertEquals(true, found, "TARGET PORT GROUP designator through port " + nexus.relativeTargetPort());
        }
    }
}
