package org.vaaitarget.server.task;

import org.vaaitarget.server.pdu.InitiatorPdus;
import org.vaaitarget.server.pdu.Bhs;
import org.vaaitarget.server.pdu.RejectReason;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import org.vaaitarget.server.pdu.Pdu;

/**
 * Collects the Data-Out of one write command (RFC 7143 4.2.5.1, 11.7, 11.8): the immediate data,
 * the unsolicited sequence (InitialR2T=No), then one sequence per R2T of at most MaxBurstLength bytes,
 * at most MaxOutstandingR2T of them at a time.
 *
 * <p>Each sequence keeps its own buffer, so sequences may complete in any order; within a sequence
 * PDUs must arrive in offset order (DataPDUInOrder=Yes, which login always answers since the key is
 * OR-negotiated and we offer Yes). Checks per Data-Out: a known sequence (TTT), DataSN in order
 * within the sequence (11.7.4), offset at the next expected byte, offset + length within the
 * sequence (hence within the R2T and the EDTL), and F only on the last PDU of the sequence.
 *
 * <p>In discard mode (command already failed, task aborted) the unsolicited data is consumed and
 * released, and no R2T is ever sent.
 *
 * <p>Ownership: the collector owns every buffer handed to it until {@link #takeData()} or
 * {@link #release()}.
 */
final class DataOutCollector {

    /** One R2T to send. */
    record R2tRequest(int ttt, int r2tSn, int offset, int length) {
    }

    private static final class Sequence {
        final int ttt;
        final int start;
        final int end;
        int received;
        int nextDataSn;
        /** The data so far: the first PDU's buffer itself, then {@link #gathered} once a second one arrives. */
        private ByteBuf data;
        /**
         * The composite this sequence made for its second and later PDUs, or null: told apart by this field, not
         * by the class of {@link #data}, so a PDU whose own buffer is a composite is never added to.
         */
        private CompositeByteBuf gathered;

        Sequence(int ttt, int start, int end) {
            this.ttt = ttt;
            this.start = start;
            this.end = end;
        }

        /** Appends a PDU's data (ownership moves here). */
        void add(ByteBuf buf, ByteBufAllocator alloc) {
            if (data == null) {
                data = buf;
            } else if (gathered != null) {
                gathered.addComponent(true, buf);
            } else {
                gathered = alloc.compositeBuffer(Integer.MAX_VALUE).addComponents(true, data, buf);
                data = gathered;
            }
        }

        boolean hasData() {
            return data != null;
        }

        /** The data so far, or null; ownership moves to the caller and the sequence holds nothing after. */
        ByteBuf take() {
            ByteBuf taken = data;
            data = null;
            gathered = null;
            return taken;
        }

        int nextOffset() {
            return start + received;
        }

        boolean full() {
            return start + received == end;
        }
    }

    private final ByteBufAllocator alloc;
    private final int edtl;
    private final boolean discard;
    private final List<Sequence> finished = new ArrayList<>();
    private final Map<Integer, Sequence> r2ts = new LinkedHashMap<>();
    private Sequence unsolicited;
    private int nextR2tOffset;
    private int nextR2tSn;

    /**
     * @param immediateData   the SCSI Command PDU's data segment; ownership moves in (may be empty)
     * @param unsolicitedEnd  end offset of the unsolicited data: immediate length when F=1 was set on
     *                        the command, else min(FirstBurstLength, EDTL)
     * @param discard         consume and drop the data (no R2Ts)
     */
    DataOutCollector(ByteBufAllocator alloc, int edtl, ByteBuf immediateData, int unsolicitedEnd, boolean discard) {
        this.alloc = alloc;
        this.edtl = edtl;
        this.discard = discard;
        int immediate = immediateData.readableBytes();
        Sequence first = new Sequence(Bhs.RESERVED_TAG, 0, Math.max(unsolicitedEnd, immediate));
        append(first, immediateData);
        if (first.full()) {
            finish(first);
        } else {
            unsolicited = first;
        }
        nextR2tOffset = discard ? edtl : first.end;
    }

    /** All data is in (or, in discard mode, all unsolicited data has been consumed). */
    boolean complete() {
        return unsolicited == null && r2ts.isEmpty() && nextR2tOffset >= edtl;
    }

    /** R2Ts sent so far (for ExpDataSN). */
    int r2tCount() {
        return nextR2tSn;
    }

    /**
     * The R2Ts that may be sent now: sequences of at most {@code maxBurst} bytes while fewer than
     * {@code maxOutstanding} are outstanding (RFC 7143 13.17 MaxOutstandingR2T).
     */
    List<R2tRequest> nextR2ts(IntSupplier tttSource, int maxBurst, int maxOutstanding) {
        List<R2tRequest> out = new ArrayList<>(0);
        while (nextR2tOffset < edtl && r2ts.size() < maxOutstanding) {
            int length = (int) Math.min((long) edtl - nextR2tOffset, maxBurst);
            int ttt = tttSource.getAsInt();
            Sequence s = new Sequence(ttt, nextR2tOffset, nextR2tOffset + length);
            r2ts.put(ttt, s);
            out.add(new R2tRequest(ttt, nextR2tSn++, nextR2tOffset, length));
            nextR2tOffset += length;
        }
        return out;
    }

    /**
     * Checks and takes one Data-Out PDU.
     *
     * @param dataOut the PDU; its data is taken (appended or released) when accepted, and left in the
     *                PDU otherwise: the caller releases the PDU in both cases
     * @return null when accepted, else the reason to Reject it (the PDU is then ignored)
     */
    RejectReason accept(Pdu dataOut) {
        InitiatorPdus.DataOut view = new InitiatorPdus.DataOut(dataOut);
        int ttt = view.ttt();
        Sequence s;
        if (ttt == Bhs.RESERVED_TAG) {
            s = unsolicited;
            if (s == null) {
                return RejectReason.PROTOCOL_ERROR;       // no unsolicited data expected (any more)
            }
        } else {
            s = r2ts.get(ttt);
            if (s == null) {
                return RejectReason.INVALID_PDU_FIELD;    // TTT of no outstanding R2T
            }
        }
        int dataSn = view.dataSn();
        int offset = view.bufferOffset();
        int length = dataOut.dataSegmentLength();
        if (dataSn != s.nextDataSn) {
            return RejectReason.PROTOCOL_ERROR;           // DataSN gap: unrecoverable at ERL 0
        }
        if (offset != s.nextOffset() || length > s.end - offset) {
            return RejectReason.INVALID_PDU_FIELD;        // outside the R2T / unsolicited range or EDTL
        }
        boolean last = offset + length == s.end;
        if (dataOut.finalBit() != last) {
            return RejectReason.PROTOCOL_ERROR;           // F must mark exactly the sequence's end
        }
        s.nextDataSn++;
        append(s, dataOut.takeData());
        if (s.full()) {
            if (s == unsolicited) {
                unsolicited = null;
            } else {
                r2ts.remove(ttt);
            }
            finish(s);
        }
        return null;
    }

    /**
     * The collected data in offset order, exactly EDTL bytes; null when EDTL is 0 or in discard mode.
     * Ownership moves to the caller. Call only when {@link #complete()}.
     */
    ByteBuf takeData() {
        if (discard || edtl == 0) {
            release();
            return null;
        }
        if (finished.size() == 1 && finished.get(0).hasData()) {
            // all the data came in one sequence (a COMPARE AND WRITE's 1 KiB of immediate data, say): its
            // buffer as it is, no composite around it
            return finished.remove(0).take();
        }
        finished.sort(Comparator.comparingInt(s -> s.start));
        CompositeByteBuf all = alloc.compositeBuffer(Math.max(2, finished.size()));
        for (Sequence s : finished) {
            if (s.hasData()) {
                all.addComponent(true, s.take());
            }
        }
        finished.clear();
        return all;
    }

    /** Releases every buffer held. Idempotent. */
    void release() {
        releaseData(unsolicited);
        for (Sequence s : r2ts.values()) {
            releaseData(s);
        }
        for (Iterator<Sequence> it = finished.iterator(); it.hasNext(); ) {
            releaseData(it.next());
        }
        unsolicited = null;
        r2ts.clear();
        finished.clear();
        nextR2tOffset = edtl;
    }

    private void append(Sequence s, ByteBuf buf) {
        int n = buf.readableBytes();
        if (discard || n == 0) {
            buf.release();
        } else {
            s.add(buf, alloc);
        }
        s.received += n;
    }

    private void finish(Sequence s) {
        finished.add(s);
    }

    private static void releaseData(Sequence s) {
        ByteBuf data = s == null ? null : s.take();
        if (data != null) {
            data.release();
        }
    }
}
