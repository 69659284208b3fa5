package org.vaaitarget.core.spc;

import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.dispatch.AbstractCommandHandler;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.lu.LunIdentity;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.sense.SenseReason;
import org.vaaitarget.core.dispatch.ParameterData;

/**
 * INQUIRY (SPC-5 6.7): standard data and the VPD pages of {@link VpdPages}.
 *
 * <p>Standard data (SPC-5 6.7.2), 96 bytes: peripheral device type 0 (direct access block device);
 * VERSION 06h (SPC-4: libiscsi's Inquiry.Standard accepts only 04h..06h); HISUP=1, RESPONSE DATA FORMAT
 * 2; 3PC=1 exactly when the device serves EXTENDED COPY(LID1) (advertise only what exists); TPGS=0 (no ALUA) unless several gateways serve the LU (01b, implicit ALUA); CMDQUE=1;
 * vendor, product and revision from {@link LunIdentity}; version descriptors SAM-5, iSCSI, SPC-4 and
 * SBC-3 (libiscsi derives "SBC-3 support", hence READ CAPACITY(16) and the 3Ch Block Limits page length,
 * from the SBC-3 descriptor 04C0h).
 *
 * <p>For a LUN that does not exist the standard data says PERIPHERAL QUALIFIER 011b, DEVICE TYPE 1Fh
 * (SPC-5 6.7.2 "not capable of supporting a peripheral device"); VPD pages of such a LUN are
 * LOGICAL UNIT NOT SUPPORTED.
 */
public final class InquiryHandler extends AbstractCommandHandler {
    static final int STANDARD_LENGTH = 96;
    private static final int[] VERSION_DESCRIPTORS = {
        0x00A0,   // SAM-5 (no version claimed)
        0x0960,   // iSCSI (no version claimed)
        0x0460,   // SPC-4 (no version claimed)
        0x04C0,   // SBC-3 (no version claimed)
    };

    @Override
    public CompletionStage<CommandResult> execute(Task task) {
        byte[] cdb = task.cdb();
        boolean evpd = (cdb[1] & 0x01) != 0;
        int pageCode = ParameterData.u8(cdb, 2);
        int allocation = ParameterData.u16(cdb, 3);
        if ((cdb[1] & 0x02) != 0) {
            return ParameterData.done(task.invalidCdbField(1, 1));       // CMDDT is obsolete
        }
        if (!evpd) {
            if (pageCode != 0) {
                return ParameterData.done(task.invalidCdbField(2, -1));  // SPC-5 6.7.1
            }
            return ParameterData.dataIn(task, standardData(task.lu(), VpdPages.copyLimits(task) != null), allocation);
        }
        if (task.lu() == null) {
            return ParameterData.done(task.check(SenseReason.LOGICAL_UNIT_NOT_SUPPORTED));
        }
        byte[] page = VpdPages.build(pageCode, task);
        if (page == null) {
            return ParameterData.done(task.invalidCdbField(2, -1));      // unsupported VPD page
        }
        return ParameterData.dataIn(task, page, allocation);
    }

    /** The standard INQUIRY data without 3PC; {@code lu} null for a LUN that does not exist. */
    static byte[] standardData(LogicalUnit lu) {
        return standardData(lu, false);
    }

    /**
     * The standard INQUIRY data; {@code lu} null for a LUN that does not exist. {@code thirdPartyCopy}
     * sets 3PC (byte 5 bit 3): true exactly when this device serves EXTENDED COPY(LID1).
     */
    static byte[] standardData(LogicalUnit lu, boolean thirdPartyCopy) {
        byte[] d = new byte[STANDARD_LENGTH];
        d[0] = (byte) (lu == null ? 0x7F : 0x00);   // qualifier 011b + type 1Fh, or qualifier 0 + disk
        d[1] = (byte) (lu != null && lu.medium().isRemovable() ? 0x80 : 0x00); // RMB: removable medium (opt-in)
        d[2] = 0x06;                                // VERSION: SPC-4
        d[3] = 0x12;                                // HISUP=1, RESPONSE DATA FORMAT=2
        d[4] = (byte) (STANDARD_LENGTH - 5);        // ADDITIONAL LENGTH
        d[5] = (byte) ((thirdPartyCopy && lu != null ? 0x08 : 0x00)  // SCCS ACC TPGS 3PC PROTECT=0
                | (lu != null && lu.portGroups() != null ? 0x10 : 0x00)); // TPGS=01b: implicit ALUA (several gateways)
        d[6] = 0x00;
        d[7] = 0x02;                                // CMDQUE=1
        if (lu != null) {
            LunIdentity id = lu.identity();
            ParameterData.putAscii(d, 8, 8, id.vendor());
            ParameterData.putAscii(d, 16, 16, id.product());
            ParameterData.putAscii(d, 32, 4, id.revision());
        } else {
            ParameterData.putAscii(d, 8, 28, "");
        }
        for (int i = 0; i < VERSION_DESCRIPTORS.length; i++) {
            ParameterData.put16(d, 58 + 2 * i, VERSION_DESCRIPTORS[i]);
        }
        return d;
    }
}
