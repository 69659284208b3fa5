package org.vaaitarget.core.spc.xcopy;

import static org.vaaitarget.core.scsi.sense.SenseReason.COPY_ABORTED_NO_ADDITIONAL_SENSE;
import static org.vaaitarget.core.scsi.sense.SenseReason.COPY_TARGET_DEVICE_NOT_REACHABLE;
import static org.vaaitarget.core.scsi.sense.SenseReason.INVALID_FIELD_IN_PARAMETER_LIST;
import static org.vaaitarget.core.scsi.sense.SenseReason.WRITE_PROTECTED;

import java.util.ArrayList;
import java.util.List;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.lu.LogicalUnit;

/**
 * A parsed parameter list bound to logical units: every check that needs the LUs, done before any
 * data moves (so a failing list copies nothing).
 *
 * <p><b>Access control</b> (ESXI-NOTES 2.3.4, CVE-2020-28374): a CSCD resolves only to a logical unit
 * of the target device the command came through ({@link Task#context()}), i.e. one the issuing I_T
 * nexus can address itself; anything else is COPY ABORTED / COPY TARGET DEVICE NOT REACHABLE, the
 * same answer as for a designator that exists nowhere.
 *
 * <p><b>Reservations hook</b>: {@link #accessAllowed} is where a later reservation model must refuse a
 * source LU the nexus may not read or a destination LU it may not write (RESERVATION CONFLICT); every
 * LU a copy touches passes through it.
 *
 * @param steps one resolved step per segment that copies at least one block, in list order
 */
record CopyPlan(List<Step> steps) {

    /** One segment bound to its LUs; the engine cuts it into chunks. */
    record Step(int segment, LogicalUnit source, long sourceLba, LogicalUnit destination, long destinationLba,
                int blocks) {
    }

    /** What a copy does to a logical unit, for {@link #accessAllowed}. */
    enum Access { READ, WRITE }

    static CopyPlan resolve(Task task, CopyParameterList list, CopyLimits limits) throws CopyFailure {
        List<LogicalUnit> reachable = task.context() != null ? task.context().luns() : List.of(task.lu());
        List<LogicalUnit> targets = new ArrayList<>();
        for (Cscd c : list.cscds()) {
            targets.add(find(reachable, c));
        }
        List<Step> steps = new ArrayList<>();
        for (BlockSegment s : list.segments()) {
            LogicalUnit src = target(targets, s.source(), s.offset() + BlockSegment.SOURCE_INDEX);
            LogicalUnit dst = target(targets, s.destination(), s.offset() + BlockSegment.DESTINATION_INDEX);
            checkBlockLength(list.cscds().get(s.source()), src);
            checkBlockLength(list.cscds().get(s.destination()), dst);
            if (src.blockSize() != dst.blockSize()) {
                // Block-to-block copies between different block lengths would need the DC/PAD rules of
                // SPC-4 6.4.7.5; no initiator we serve mixes block sizes.
                throw CopyFailure.at(INVALID_FIELD_IN_PARAMETER_LIST, list.cscds().get(s.destination()).offset() + 29, -1);
            }
            if ((long) s.blocks() * src.blockSize() > limits.maxSegmentBytes()) {
                throw CopyFailure.at(INVALID_FIELD_IN_PARAMETER_LIST, s.offset() + BlockSegment.NUMBER_OF_BLOCKS, -1);
            }
            checkRange(src, s.sourceLba(), s.blocks(), s.offset() + BlockSegment.SOURCE_LBA);
            checkRange(dst, s.destinationLba(), s.blocks(), s.offset() + BlockSegment.DESTINATION_LBA);
            if (!accessAllowed(task, src, Access.READ) || !accessAllowed(task, dst, Access.WRITE)) {
                throw CopyFailure.of(COPY_TARGET_DEVICE_NOT_REACHABLE);
            }
            if (dst.writeProtected()) {
                // What the copy destination itself would answer a WRITE (SBC-4 4.11); nothing is copied.
                throw CopyFailure.of(WRITE_PROTECTED);
            }
            if (s.blocks() > 0) {
                steps.add(new Step(s.number(), src, s.sourceLba(), dst, s.destinationLba(), s.blocks()));
            }
        }
        return new CopyPlan(List.copyOf(steps));
    }

    /**
     * Reservations hook: whether the issuing nexus may read ({@code READ}) or write ({@code WRITE})
     * this LU. Always true until reservations exist; then a conflict here must end the copy before any
     * data moves (SPC-5 5.13 treats EXTENDED COPY like the reads and writes it implies).
     */
    static boolean accessAllowed(Task task, LogicalUnit lu, Access access) {
        return true;
    }

    private static LogicalUnit find(List<LogicalUnit> reachable, Cscd c) throws CopyFailure {
        for (LogicalUnit lu : reachable) {
            if (c.names(lu.identity().naa())) {
                return lu;
            }
        }
        throw CopyFailure.at(COPY_TARGET_DEVICE_NOT_REACHABLE, c.offset() + 8, -1);
    }

    private static LogicalUnit target(List<LogicalUnit> targets, int index, int fieldOffset) throws CopyFailure {
        if (index >= targets.size()) {
            // libiscsi ValidSegDescr: an index past the CSCD list is COPY ABORTED.
            throw CopyFailure.at(COPY_TARGET_DEVICE_NOT_REACHABLE, fieldOffset, -1);
        }
        return targets.get(index);
    }

    private static void checkBlockLength(Cscd c, LogicalUnit lu) throws CopyFailure {
        if (c.blockLength() != 0 && c.blockLength() != lu.blockSize()) {
            throw CopyFailure.at(INVALID_FIELD_IN_PARAMETER_LIST, c.offset() + 29, -1);
        }
    }

    /** Beyond the end of a copy target: what the copy target would have refused, as COPY ABORTED. */
    private static void checkRange(LogicalUnit lu, long lba, int blocks, int fieldOffset) throws CopyFailure {
        if (lba < 0 || lba > lu.blockCount() || blocks > lu.blockCount() - lba) {
            throw CopyFailure.at(COPY_ABORTED_NO_ADDITIONAL_SENSE, fieldOffset, -1);
        }
    }
}
