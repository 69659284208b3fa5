package org.vaaitarget.core.spc;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.dispatch.AbstractCommandHandler;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.sense.SenseData;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.spc.ModePage.PageControl;
import org.vaaitarget.core.dispatch.ParameterData;

/**
 * MODE SENSE(6) and MODE SENSE(10) (SPC-5 6.14, 6.15) over the pages of {@link ModePage}.
 *
 * <p>PAGE CODE 3Fh returns every page; SUBPAGE CODE 00h or FFh is accepted (no page has subpages),
 * others are INVALID FIELD IN CDB. PC=11b (saved values) is ILLEGAL REQUEST / SAVING PARAMETERS NOT
 * SUPPORTED, since no page is saveable (SPC-5 6.14.3). Unless DBD is set, one block descriptor follows
 * the header (SBC-4 6.5.2): short (8 bytes) or, for MODE SENSE(10) with LLBAA=1, long (16 bytes,
 * LONGLBA=1). DEVICE-SPECIFIC PARAMETER (SBC-4 6.5.1): WP as the medium is protected, DPOFUA=1 (READ/WRITE honour DPO and FUA).
 */
public final class ModeSenseHandler extends AbstractCommandHandler {
    private static final int ALL_PAGES = 0x3F;
    private static final int DPOFUA = 0x10;
    private static final int WP = 0x80;

    @Override
    public CompletionStage<CommandResult> execute(Task task) {
        byte[] cdb = task.cdb();
        boolean ten = (cdb[0] & 0xFF) == 0x5A;
        boolean dbd = (cdb[1] & 0x08) != 0;
        boolean longLba = ten && (cdb[1] & 0x10) != 0;
        PageControl pc = PageControl.values()[(cdb[2] >>> 6) & 0x03];
        int pageCode = cdb[2] & 0x3F;
        int subpage = ParameterData.u8(cdb, 3);
        int allocation = ten ? ParameterData.u16(cdb, 7) : ParameterData.u8(cdb, 4);

        if (pc == PageControl.SAVED) {
            return ParameterData.done(task.check(
                    SenseData.withFieldPointer(SenseReason.SAVING_PARAMETERS_NOT_SUPPORTED, true, 2, 7)));
        }
        if (subpage != 0x00 && subpage != 0xFF) {
            return ParameterData.done(task.invalidCdbField(3, -1));
        }
        LogicalUnit lu = task.lu();
        ByteArrayOutputStream pages = new ByteArrayOutputStream();
        if (pageCode == ALL_PAGES) {
            for (ModePage p : ModePage.values()) {
                pages.writeBytes(p.build(pc, lu));
            }
        } else {
            ModePage p = ModePage.byCode(pageCode);
            if (p == null) {
                return ParameterData.done(task.invalidCdbField(2, 5));
            }
            pages.writeBytes(p.build(pc, lu));
        }
        byte[] descriptor = dbd ? new byte[0] : blockDescriptor(lu, longLba, pc == PageControl.CHANGEABLE);
        byte[] body = pages.toByteArray();
        int headerLength = ten ? 8 : 4;
        // SBC-4 6.5.1: WP=1 when the medium is write-protected (read-only LUN or SWP), DPOFUA=1.
        byte deviceSpecific = (byte) (DPOFUA | (lu.writeProtected() ? WP : 0));
        byte[] data = new byte[headerLength + descriptor.length + body.length];
        if (ten) {
            ParameterData.put16(data, 0, data.length - 2);          // MODE DATA LENGTH
            data[3] = deviceSpecific;                               // DEVICE-SPECIFIC PARAMETER
            data[4] = (byte) (longLba && !dbd ? 0x01 : 0x00);       // LONGLBA
            ParameterData.put16(data, 6, descriptor.length);        // BLOCK DESCRIPTOR LENGTH
        } else {
            data[0] = (byte) Math.min(255, data.length - 1);        // MODE DATA LENGTH
            data[2] = deviceSpecific;
            data[3] = (byte) descriptor.length;
        }
        System.arraycopy(descriptor, 0, data, headerLength, descriptor.length);
        System.arraycopy(body, 0, data, headerLength + descriptor.length, body.length);
        return ParameterData.dataIn(task, data, allocation);
    }

    /** SBC-4 6.5.2: the LU's capacity and block length; all zero for the changeable mask. */
    static byte[] blockDescriptor(LogicalUnit lu, boolean longLba, boolean changeableMask) {
        byte[] d = new byte[longLba ? 16 : 8];
        if (changeableMask) {
            return d;
        }
        if (longLba) {
            ParameterData.put64(d, 0, lu.blockCount());
            ParameterData.put32(d, 12, lu.blockSize());
        } else {
            ParameterData.put32(d, 0, Math.min(lu.blockCount(), 0xFFFF_FFFFL));
            ParameterData.put24(d, 5, lu.blockSize());
        }
        return d;
    }
}
