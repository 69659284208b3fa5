package org.vaaitarget.core.spc.pr;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.dispatch.AbstractCommandHandler;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.lu.pr.PrSnapshot;
import org.vaaitarget.core.lu.pr.Registration;
import org.vaaitarget.core.lu.pr.ReservationState;
import org.vaaitarget.core.lu.pr.ReservationType;
import org.vaaitarget.core.dispatch.ParameterData;

/**
 * PERSISTENT RESERVE IN (5Eh, SPC-5 6.15): READ KEYS, READ RESERVATION, REPORT CAPABILITIES and READ
 * FULL STATUS, all from one {@link PrSnapshot} taken under the LU's reservation lock. Other service
 * actions are INVALID FIELD IN CDB (the dispatch table's unknown service action rule).
 */
public final class PrInHandler extends AbstractCommandHandler {
    static final int READ_KEYS = 0x00;
    static final int READ_RESERVATION = 0x01;
    static final int REPORT_CAPABILITIES = 0x02;
    static final int READ_FULL_STATUS = 0x03;

    /**
     * REPORT CAPABILITIES byte 2: CRH (SPC-5 5.14.3 handling of RESERVE/RELEASE), ATP_C; SIP_C=0; PTPL_C
     * is added for LUs that can persist. Byte 3: TMV=1, ALLOW COMMANDS 001b (TEST UNIT READY passes
     * every reservation type; nothing claimed about the others).
     */
    private static final int CRH = 0x10;
    private static final int ATP_C = 0x04;
    private static final int PTPL_C = 0x01;
    private static final int TMV_ALLOW_COMMANDS = 0x80 | 0x10;

    @Override
    public CompletionStage<CommandResult> execute(Task task) {
        byte[] cdb = task.cdb();
        int allocation = ParameterData.u16(cdb, 7);
        ReservationState state = task.lu().reservations();
        PrSnapshot s = state.snapshot();
        byte[] data = switch (cdb[1] & 0x1F) {
            case READ_KEYS -> readKeys(s);
            case READ_RESERVATION -> readReservation(s);
            case REPORT_CAPABILITIES -> capabilities(s, state.persistenceCapable(), task.lu().portGroups() == null);
            default -> fullStatus(s);
        };
        return ParameterData.dataIn(task, data, allocation);
    }

    /** SPC-5 6.15.2: PRGENERATION, ADDITIONAL LENGTH, one 8-byte key per registered I_T nexus. */
    static byte[] readKeys(PrSnapshot s) {
        byte[] d = new byte[8 + 8 * s.registrations().size()];
        ParameterData.put32(d, 0, s.generation());
        ParameterData.put32(d, 4, d.length - 8L);
        for (int i = 0; i < s.registrations().size(); i++) {
            ParameterData.put64(d, 8 + 8 * i, s.registrations().get(i).key());
        }
        return d;
    }

    /** SPC-5 6.15.3: the reservation descriptor when a reservation exists (key 0 for all registrants). */
    static byte[] readReservation(PrSnapshot s) {
        byte[] d = new byte[s.type() == null ? 8 : 24];
        ParameterData.put32(d, 0, s.generation());
        if (s.type() != null) {
            ParameterData.put32(d, 4, 16);
            ParameterData.put64(d, 8, s.reservationKey());
            d[21] = (byte) s.type().code();                        // SCOPE 0h (LU_SCOPE)
        }
        return d;
    }

    /**
     * SPC-5 6.15.4 (Table 208). {@code allTargetPorts}: ATP_C, true when this server's one target port is every
     * port of the LU (not when several gateways serve it: a registration reaches only its own gateway's port).
     */
    static byte[] capabilities(PrSnapshot s, boolean persistent, boolean allTargetPorts) {
        byte[] d = new byte[8];
        ParameterData.put16(d, 0, 8);
        d[2] = (byte) (CRH | (allTargetPorts ? ATP_C : 0) | (persistent ? PTPL_C : 0));
        d[3] = (byte) (TMV_ALLOW_COMMANDS | (s.aptpl() ? 0x01 : 0));         // PTPL_A
        int mask = 0;
        for (ReservationType t : ReservationType.values()) {
            mask |= 1 << t.code();
        }
        // PERSISTENT RESERVATION TYPE MASK: byte 4 bit n = type n (n 1..7), byte 5 bit 0 = type 8.
        d[4] = (byte) (mask & 0xFE);
        d[5] = (byte) ((mask >>> 8) & 0x01);
        return d;
    }

    /** SPC-5 6.15.5: one full status descriptor per registration, with its iSCSI TransportID. */
    static byte[] fullStatus(PrSnapshot s) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Registration r : s.registrations()) {
            byte[] id = TransportIds.encode(r.nexus());
            byte[] desc = new byte[24];
            ParameterData.put64(desc, 0, r.key());
            boolean holds = s.holds(r);
            desc[12] = (byte) (holds ? 0x01 : 0);                  // R_HOLDER; ALL_TG_PT 0: the port is named
            desc[13] = (byte) (holds ? s.type().code() : 0);
            ParameterData.put16(desc, 18, r.nexus().relativeTargetPort());
            ParameterData.put32(desc, 20, id.length);
            body.writeBytes(desc);
            body.writeBytes(id);
        }
        byte[] d = new byte[8 + body.size()];
        ParameterData.put32(d, 0, s.generation());
        ParameterData.put32(d, 4, body.size());
        System.arraycopy(body.toByteArray(), 0, d, 8, body.size());
        return d;
    }
}
