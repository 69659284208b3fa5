package org.vaaitarget.core.spc;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
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
 * MODE SELECT(6) and MODE SELECT(10) (SPC-5 6.12, 6.13; parameter list 7.5.4).
 *
 * <p>CDB: PF must be 1 (only standard page format is understood) and SP must be 0 (no page is
 * saveable): otherwise INVALID FIELD IN CDB. A PARAMETER LIST LENGTH of zero changes nothing; one that
 * is longer than the Data-Out received, or that cuts a header, block descriptor or page short, is
 * PARAMETER LIST LENGTH ERROR.
 *
 * <p>Parameter list: MEDIUM TYPE 0; WP=0; at most one block descriptor whose block length equals the
 * LU's and whose block count is 0 or the LU's; pages of {@link ModePage} with their exact PAGE LENGTH,
 * where every bit outside the changeable mask equals its current value. Any violation is INVALID
 * FIELD IN PARAMETER LIST with a field pointer, and then nothing is applied. When a current value
 * changes, every other I_T nexus gets MODE PARAMETERS CHANGED (SPC-5 7.5.1).
 *
 * <p>The Data-Out buffer is only read; the dispatcher releases it.
 */
public final class ModeSelectHandler extends AbstractCommandHandler {
    @Override
    public CompletionStage<CommandResult> execute(Task task) {
        byte[] cdb = task.cdb();
        boolean ten = (cdb[0] & 0xFF) == 0x55;
        if ((cdb[1] & 0x01) != 0) {
            return ParameterData.done(task.invalidCdbField(1, 0));        // SP: nothing is saveable
        }
        if ((cdb[1] & 0x10) == 0) {
            return ParameterData.done(task.invalidCdbField(1, 4));        // PF=0: vendor format
        }
        int length = ten ? ParameterData.u16(cdb, 7) : ParameterData.u8(cdb, 4);
        if (length == 0) {
            return ParameterData.done(CommandResult.good(0));
        }
        ByteBuf out = task.command().dataOut();
        if (out == null || out.readableBytes() < length) {
            return ParameterData.done(task.check(SenseReason.PARAMETER_LIST_LENGTH_ERROR));
        }
        byte[] list = new byte[length];
        out.getBytes(out.readerIndex(), list);
        return ParameterData.done(select(task, list, ten));
    }

    private static CommandResult select(Task task, byte[] list, boolean ten) {
        LogicalUnit lu = task.lu();
        int headerLength = ten ? 8 : 4;
        if (list.length < headerLength) {
            return task.check(SenseReason.PARAMETER_LIST_LENGTH_ERROR);
        }
        int mediumTypeAt = ten ? 2 : 1;
        int dspAt = ten ? 3 : 2;
        int descriptorLength = ten ? ParameterData.u16(list, 6) : ParameterData.u8(list, 3);
        boolean longLba = ten && (list[4] & 0x01) != 0;
        if (list[mediumTypeAt] != 0) {
            return badParameter(task, mediumTypeAt, -1);
        }
        if ((list[dspAt] & 0x80) != 0) {
            return badParameter(task, dspAt, 7);                           // WP is not changeable
        }
        if (descriptorLength != 0 && descriptorLength != (longLba ? 16 : 8)) {
            return badParameter(task, ten ? 6 : 3, -1);
        }
        if (headerLength + descriptorLength > list.length) {
            return task.check(SenseReason.PARAMETER_LIST_LENGTH_ERROR);
        }
        if (descriptorLength > 0) {
            CommandResult bad = checkDescriptor(task, list, headerLength, longLba);
            if (bad != null) {
                return bad;
            }
        }
        List<Integer> offsets = new ArrayList<>();
        List<ModePage> pages = new ArrayList<>();
        int off = headerLength + descriptorLength;
        while (off < list.length) {
            if (off + 2 > list.length) {
                return task.check(SenseReason.PARAMETER_LIST_LENGTH_ERROR);
            }
            if ((list[off] & 0x40) != 0) {
                return badParameter(task, off, 6);                          // SPF: no subpages here
            }
            ModePage page = ModePage.byCode(list[off] & 0x3F);
            if (page == null) {
                return badParameter(task, off, 5);
            }
            if (ParameterData.u8(list, off + 1) != page.pageLength()) {
                return badParameter(task, off + 1, -1);
            }
            if (off + 2 + page.pageLength() > list.length) {
                return task.check(SenseReason.PARAMETER_LIST_LENGTH_ERROR);
            }
            CommandResult bad = checkChangeable(task, page, list, off);
            if (bad != null) {
                return bad;
            }
            pages.add(page);
            offsets.add(off);
            off += 2 + page.pageLength();
        }
        boolean changed = false;
        for (int i = 0; i < pages.size(); i++) {
            changed |= pages.get(i).apply(list, offsets.get(i), lu);
        }
        if (changed) {
            lu.unitAttentions().raiseForAll(SenseReason.MODE_PARAMETERS_CHANGED, task.nexus());
        }
        return CommandResult.good(list.length);
    }

    /** Every bit outside the changeable mask must equal the current value (SPC-5 7.5.4). */
    private static CommandResult checkChangeable(Task task, ModePage page, byte[] list, int off) {
        byte[] current = page.build(PageControl.CURRENT, task.lu());
        byte[] changeable = page.build(PageControl.CHANGEABLE, task.lu());
        for (int i = 2; i < current.length; i++) {
            int diff = (list[off + i] ^ current[i]) & ~changeable[i] & 0xFF;
            if (diff != 0) {
                return badParameter(task, off + i, 31 - Integer.numberOfLeadingZeros(diff));
            }
        }
        return null;
    }

    /** SBC-4 6.5.2: the capacity and block length cannot be changed. */
    private static CommandResult checkDescriptor(Task task, byte[] list, int at, boolean longLba) {
        byte[] ours = ModeSenseHandler.blockDescriptor(task.lu(), longLba, false);
        int countLength = longLba ? 8 : 4;
        boolean countZero = true;
        for (int i = 0; i < countLength; i++) {
            countZero &= list[at + i] == 0;
        }
        for (int i = 0; i < ours.length; i++) {
            boolean countByte = i < countLength;
            boolean reserved = longLba ? i >= 8 && i < 12 : i == 4;
            if (reserved || (countByte && countZero) || list[at + i] == ours[i]) {
                continue;
            }
            return badParameter(task, at + i, -1);
        }
        return null;
    }

    private static CommandResult badParameter(Task task, int byteIndex, int bit) {
        return task.check(SenseData.withFieldPointer(SenseReason.INVALID_FIELD_IN_PARAMETER_LIST, false, byteIndex, bit));
    }
}
