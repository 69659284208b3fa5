package org.vaaitarget.core.spc.pr;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.vaaitarget.core.assembly.StandardHandlers;
import org.vaaitarget.core.dispatch.TargetDevice;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.lu.LunIdentity;
import org.vaaitarget.core.lu.LunLimits;
import org.vaaitarget.core.lu.lock.StripedRangeLockManager;
import org.vaaitarget.core.scsi.ItNexus;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.testkit.Harness;
import org.vaaitarget.core.testkit.Reply;
import org.vaaitarget.core.testkit.TestStore;
import org.vaaitarget.core.lu.pr.PrOutRequest;
import org.vaaitarget.core.lu.pr.ReservationState;
import org.vaaitarget.core.lu.pr.ReservationType;
import org.vaaitarget.core.dispatch.ParameterData;

/** One LU on a standard target device, with PERSISTENT RESERVE and RESERVE command builders. */
final class PrFixture {
    static final ItNexus A = Harness.A;
    static final ItNexus B = Harness.B;
    /** A third initiator on the same target port as A (ItNexus differs by initiator name and ISID). */
    static final ItNexus C = new ItNexus("iqn.1998-01.com.vmware:host-c", "400001370002", Harness.TARGET, 1);

    final LogicalUnit lu;
    final Harness h;

    PrFixture() {
        this(new ReservationState());
    }

    PrFixture(ReservationState state) {
        byte[] naa = new byte[16];
        naa[0] = 0x60;
        lu = new LogicalUnit(0, new TestStore(512, 1 << 16, Harness.THIN_WRITE_BACK), LunLimits.defaults(512),
                new LunIdentity(naa, "SER0", "VAAITGT", "DISK", "0001"), new StripedRangeLockManager(), state, 0);
        h = new Harness(new TargetDevice(Harness.TARGET, List.of(lu), StandardHandlers.all()));
        for (ItNexus n : List.of(A, B, C)) {
            h.clearUa(n, 0);
        }
    }

    /** PERSISTENT RESERVE OUT with the basic 24-byte parameter list; {@code flags} is byte 20. */
    Reply prOut(ItNexus n, int sa, ReservationType type, long key, long saKey, int flags) {
        byte[] list = new byte[24];
        ParameterData.put64(list, 0, key);
        ParameterData.put64(list, 8, saKey);
        list[20] = (byte) flags;
        return prOutRaw(n, sa, type == null ? 0 : type.code(), list);
    }

    Reply prOutRaw(ItNexus n, int sa, int scopeType, byte[] list) {
        byte[] cdb = Harness.cdb(0x5F, sa, scopeType, 0, 0, 0, 0, 0, list.length, 0);
        return h.run(n, 0, cdb, list);
    }

    Reply register(ItNexus n, long key) {
        return prOut(n, PrOutRequest.REGISTER_AND_IGNORE, null, 0, key, 0);
    }

    Reply reserve(ItNexus n, long key, ReservationType type) {
        return prOut(n, PrOutRequest.RESERVE, type, key, 0, 0);
    }

    Reply prIn(ItNexus n, int sa) {
        return h.run(n, 0, 0x5E, sa, 0, 0, 0, 0, 0, 0x10, 0x00, 0);
    }

    Reply tur(ItNexus n) {
        return h.run(n, 0, 0x00, 0, 0, 0, 0, 0);
    }

    Reply read10(ItNexus n) {
        return h.run(n, 0, 0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0);
    }

    Reply write10(ItNexus n) {
        return h.run(n, 0, Harness.cdb(0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0), new byte[512]);
    }

    /** COMPARE AND WRITE of one block at LBA 0 expecting zeros (TestStore reads zeros). */
    Reply caw(ItNexus n) {
        return h.run(n, 0, compareAndWriteCdb(), new byte[1024]);
    }

    static byte[] compareAndWriteCdb() {
        return Harness.cdb(0x89, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0);
    }

    long[] keys(ItNexus asker) {
        Reply r = prIn(asker, PrInHandler.READ_KEYS);
        assertEquals(ScsiStatus.GOOD, r.status());
        long[] keys = new long[(int) r.u32(4) / 8];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = r.u64(8 + 8 * i);
        }
        return keys;
    }

    static void assertStatus(ScsiStatus expected, Reply r) {
        assertEquals(expected, r.status());
    }
}
