package org.vaaitarget.core.sbc;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.dispatch.AbstractCommandHandler;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.store.StoreCapabilities;

/**
 * READ CAPACITY(10) (SBC-4 5.20) and READ CAPACITY(16) = SERVICE ACTION IN(16) 9Eh/10h (SBC-4 5.21).
 * LBPME and LBPRZ come from the same {@link StoreCapabilities} the UNMAP path and VPD B2h use.
 */
public final class ReadCapacityHandler extends AbstractCommandHandler {
    private static final int READ_CAPACITY_10 = 0x25;
    static final int SA_READ_CAPACITY_16 = 0x10;
    private static final int RC16_LENGTH = 32;

    /** @return GOOD with a Data-In buffer the receiver releases */
    @Override
    public CompletionStage<CommandResult> execute(Task task) {
        byte[] cdb = task.cdb();
        return SbcHandlers.done((cdb[0] & 0xFF) == READ_CAPACITY_10 ? capacity10(task, cdb) : capacity16(task, cdb));
    }

    private static CommandResult capacity10(Task task, byte[] cdb) {
        boolean pmi = (cdb[8] & 0x01) != 0;
        if (!pmi && Cdbs.be(cdb, 2, 4) != 0) {
            // SBC-3 5.15: with PMI=0 the LOGICAL BLOCK ADDRESS field shall be zero (obsolete in SBC-4).
            return task.invalidCdbField(2, -1);
        }
        LogicalUnit lu = task.lu();
        long last = lu.blockCount() - 1;
        ByteBuf out = task.alloc().buffer(8, 8);
        // A last LBA that does not fit in 32 bits reads FFFFFFFFh: "use READ CAPACITY(16)".
        out.writeInt(last > 0xFFFF_FFFEL ? 0xFFFF_FFFF : (int) last);
        out.writeInt(lu.blockSize());
        return CommandResult.goodWithData(out);
    }

    private static CommandResult capacity16(Task task, byte[] cdb) {
        if ((cdb[1] & 0x1F) != SA_READ_CAPACITY_16) {
            return task.invalidCdbField(1, 4);
        }
        long alloc = Cdbs.be(cdb, 10, 4);
        if (alloc == 0) {
            return CommandResult.good(0);    // SPC-5 4.2.5.6: zero allocation length is not an error
        }
        LogicalUnit lu = task.lu();
        StoreCapabilities caps = lu.store().capabilities();
        int len = (int) Math.min(alloc, RC16_LENGTH);
        ByteBuf out = task.alloc().buffer(RC16_LENGTH, RC16_LENGTH);
        out.writeLong(lu.blockCount() - 1);            // RETURNED LOGICAL BLOCK ADDRESS
        out.writeInt(lu.blockSize());                  // LOGICAL BLOCK LENGTH IN BYTES
        out.writeByte(0);                              // P_TYPE, PROT_EN = 0: no protection information
        out.writeByte(lu.physicalBlockExponent());     // P_I_EXPONENT 0, LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT
        int b14 = 0;
        if (caps.unmapSupported()) {
            b14 |= 0x80;                               // LBPME: logical block provisioning management
            if (caps.unmapReadsZeros()) {
                b14 |= 0x40;                           // LBPRZ: unmapped blocks read as zeros
            }
        }
        out.writeByte(b14);                            // LOWEST ALIGNED LBA (bits 13:8) = 0
        out.writeByte(0);
        out.writeZero(RC16_LENGTH - out.writerIndex()); // reserved
        out.writerIndex(len);                          // allocation length truncation (SPC-5 4.2.5.6)
        return CommandResult.goodWithData(out);
    }
}
