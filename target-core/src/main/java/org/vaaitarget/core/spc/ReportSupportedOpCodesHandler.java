package org.vaaitarget.core.spc;

import java.io.ByteArrayOutputStream;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.dispatch.AbstractCommandHandler;
import org.vaaitarget.core.dispatch.CommandSpec;
import org.vaaitarget.core.dispatch.HandlerTable;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.dispatch.ParameterData;

/**
 * REPORT SUPPORTED OPERATION CODES (MAINTENANCE IN A3h / 0Ch, SPC-5 6.35), read from the dispatch
 * table of the device the task runs on ({@link Task#context()}), so it lists exactly what dispatch
 * serves, including handlers added later.
 *
 * <ul>
 *   <li>REPORTING OPTIONS 000b: all commands, 8-byte descriptors (SERVACTV set for commands with a
 *       service action, SERVICE ACTION 0 otherwise);</li>
 *   <li>001b: one command by opcode; an opcode with service actions is INVALID FIELD IN CDB;</li>
 *   <li>010b: one command by opcode and service action; an opcode without is INVALID FIELD IN CDB;</li>
 *   <li>011b: one command by opcode, and by service action when the opcode has them;</li>
 *   <li>others: INVALID FIELD IN CDB.</li>
 * </ul>
 * One-command data: SUPPORT 011b with the CDB USAGE DATA, or 001b (not supported) with CDB SIZE 0.
 * RCTD=1 appends a command timeouts descriptor (length 0Ah) with no timeouts specified, and sets CTDP.
 */
public final class ReportSupportedOpCodesHandler extends AbstractCommandHandler {
    private static final int SUPPORT_NOT_SUPPORTED = 0x01;
    private static final int SUPPORT_STANDARD = 0x03;
    private static final int CTDP = 0x02;
    private static final int SERVACTV = 0x01;

    @Override
    public CompletionStage<CommandResult> execute(Task task) {
        byte[] cdb = task.cdb();
        boolean rctd = (cdb[2] & 0x80) != 0;
        int options = cdb[2] & 0x07;
        int opcode = ParameterData.u8(cdb, 3);
        int serviceAction = ParameterData.u16(cdb, 4);
        long allocation = ParameterData.u32(cdb, 6);
        HandlerTable table = task.context().commands();
        byte[] data;
        switch (options) {
            case 0 -> data = all(table, rctd, task.lu());
            case 1 -> {
                if (table.hasServiceActions(opcode)) {
                    return ParameterData.done(task.invalidCdbField(3, -1));
                }
                data = one(table.find(opcode, -1).filter(s -> table.servedOn(s, task.lu())), rctd);
            }
            case 2 -> {
                if (table.serves(opcode) && !table.hasServiceActions(opcode)) {
                    return ParameterData.done(task.invalidCdbField(3, -1));
                }
                data = one(table.find(opcode, serviceAction).filter(s -> table.servedOn(s, task.lu())), rctd);
            }
            case 3 -> data = one(table.find(opcode, table.hasServiceActions(opcode) ? serviceAction : -1)
                    .filter(s -> table.servedOn(s, task.lu())), rctd);
            default -> {
                return ParameterData.done(task.invalidCdbField(2, 2));
            }
        }
        return ParameterData.dataIn(task, data, allocation);
    }

    private static byte[] all(HandlerTable table, boolean rctd, org.vaaitarget.core.lu.LogicalUnit lu) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[4]);                                   // COMMAND DATA LENGTH, below
        for (CommandSpec s : table.specs()) {
            if (!table.servedOn(s, lu)) {
                continue;
            }
            byte[] d = new byte[8];
            d[0] = (byte) s.opcode();
            if (s.serviceAction() >= 0) {
                ParameterData.put16(d, 2, s.serviceAction());
                d[5] |= SERVACTV;
            }
            if (rctd) {
                d[5] |= CTDP;
            }
            ParameterData.put16(d, 6, s.cdbLength());
            out.writeBytes(d);
            if (rctd) {
                out.writeBytes(timeoutsDescriptor());
            }
        }
        byte[] data = out.toByteArray();
        ParameterData.put32(data, 0, data.length - 4);
        return data;
    }

    private static byte[] one(Optional<CommandSpec> spec, boolean rctd) {
        if (spec.isEmpty()) {
            return new byte[] {0, SUPPORT_NOT_SUPPORTED, 0, 0};
        }
        byte[] usage = usageData(spec.get());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] header = new byte[4];
        header[1] = (byte) ((rctd ? 0x80 : 0) | SUPPORT_STANDARD);
        ParameterData.put16(header, 2, usage.length);
        out.writeBytes(header);
        out.writeBytes(usage);
        if (rctd) {
            out.writeBytes(timeoutsDescriptor());
        }
        return out.toByteArray();
    }

    /**
     * CDB USAGE DATA (SPC-5 6.35.4): the usage map, except that a command with a service action carries the
     * service action's value in that field (byte 1 bits 4:0 for every opcode served here), not usage bits.
     */
    static byte[] usageData(CommandSpec spec) {
        byte[] usage = spec.cdbUsageMap().clone();
        if (spec.serviceAction() >= 0) {
            usage[1] = (byte) ((usage[1] & ~0x1F) | (spec.serviceAction() & 0x1F));
        }
        return usage;
    }

    /** SPC-5 6.35.4: DESCRIPTOR LENGTH 000Ah; NOMINAL and RECOMMENDED timeouts 0 (not specified). */
    private static byte[] timeoutsDescriptor() {
        byte[] t = new byte[12];
        ParameterData.put16(t, 0, 0x0A);
        return t;
    }
}
