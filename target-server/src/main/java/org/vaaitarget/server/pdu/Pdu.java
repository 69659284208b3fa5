package org.vaaitarget.server.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One iSCSI PDU: the 48-byte Basic Header Segment, the Additional Header Segments (without the
 * 4-byte padding rules: already unpadded, a multiple of 4 bytes) and the data segment (without
 * padding or digest). Field accessors follow RFC 7143 11.2.1; PDU-specific fields are read through
 * the named views of {@link InitiatorPdus} and written by the builders of {@link TargetPdus}, with the
 * shared offsets in {@link Bhs}.
 *
 * <p>A received PDU's header is immutable (its setters throw), so what a Reject echoes (RFC 7143
 * 11.17.1) is what arrived; only PDUs made with {@link #create} are built field by field.
 *
 * <p>Ownership: a Pdu owns its data buffer. Whoever receives a Pdu releases it with
 * {@link #release()} (or passes it on); the encoder releases outbound PDUs once written.
 * The BHS and AHS are plain byte arrays and need no release.
 */
public final class Pdu {
    public static final int BHS_LENGTH = 48;
    private static final byte[] NO_AHS = new byte[0];
    /** Big-endian views of the BHS bytes (RFC 7143 11.2: fields are in network byte order). */
    private static final VarHandle U16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle U32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle U64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final byte[] bhs;
    private final byte[] ahs;
    private final boolean received;
    private ByteBuf data;

    private Pdu(byte[] bhs, byte[] ahs, ByteBuf data, boolean received) {
        if (bhs.length != BHS_LENGTH) {
            throw new IllegalArgumentException("BHS must be 48 bytes");
        }
        this.bhs = bhs;
        this.ahs = ahs == null ? NO_AHS : ahs;
        this.data = data == null ? Unpooled.EMPTY_BUFFER : data;
        this.received = received;
    }

    /**
     * Wraps a decoded PDU. Ownership of {@code data} moves to the new Pdu. The header is kept exactly as
     * received, TotalAHSLength and DataSegmentLength included, even when the data was discarded (a frame
     * to be rejected): a Reject echoes it whole (RFC 7143 11.17.1, "Complete Header of Bad PDU").
     */
    public static Pdu decoded(byte[] bhs, byte[] ahs, ByteBuf data) {
        return new Pdu(bhs, ahs, data, true);
    }

    /**
     * A PDU to be built further from raw header bytes and AHS (a test initiator's, or one with AHS to send);
     * unlike {@link #decoded}, its header stays writable. The arrays are not copied.
     */
    public static Pdu fromHeader(byte[] bhs, byte[] ahs) {
        return new Pdu(bhs, ahs, null, false);
    }

    /** A new outbound PDU with the given opcode and an empty data segment. */
    public static Pdu create(Opcode opcode) {
        byte[] b = new byte[BHS_LENGTH];
        b[0] = (byte) opcode.code();
        return new Pdu(b, NO_AHS, null, false);
    }

    // ---- generic field access (big-endian)

    public int u8(int offset) {
        return bhs[offset] & 0xFF;
    }

    public int u16(int offset) {
        return (short) U16.get(bhs, offset) & 0xFFFF;
    }

    public int u24(int offset) {
        return (u8(offset) << 16) | u16(offset + 1);
    }

    /** 32-bit field as an int (serial numbers and tags are compared with {@code SerialNumbers}). */
    public int u32(int offset) {
        return (int) U32.get(bhs, offset);
    }

    public long u64(int offset) {
        return (long) U64.get(bhs, offset);
    }

    private void checkWritable() {
        if (received) {
            throw new IllegalStateException("the header of a received PDU is immutable: " + this);
        }
    }

    public Pdu setU8(int offset, int v) {
        checkWritable();
        bhs[offset] = (byte) v;
        return this;
    }

    public Pdu setU16(int offset, int v) {
        checkWritable();
        U16.set(bhs, offset, (short) v);
        return this;
    }

    public Pdu setU24(int offset, int v) {
        return setU8(offset, v >>> 16).setU16(offset + 1, v);
    }

    public Pdu setU32(int offset, int v) {
        checkWritable();
        U32.set(bhs, offset, v);
        return this;
    }

    public Pdu setU64(int offset, long v) {
        checkWritable();
        U64.set(bhs, offset, v);
        return this;
    }

    // ---- fields common to every PDU (RFC 7143 11.2.1)

    /** The opcode, or null when byte 0 holds an undefined value. */
    public Opcode opcode() {
        return Opcode.of(bhs[0] & 0x3F);
    }

    public int rawOpcode() {
        return bhs[0] & 0x3F;
    }

    /** The I bit (immediate delivery), initiator PDUs only. */
    public boolean immediate() {
        return (bhs[0] & 0x40) != 0;
    }

    public Pdu setImmediate(boolean v) {
        checkWritable();
        bhs[0] = (byte) (v ? bhs[0] | 0x40 : bhs[0] & ~0x40);
        return this;
    }

    /** Byte 1 (the F bit and opcode-specific flags). */
    public int flags() {
        return bhs[1] & 0xFF;
    }

    public Pdu setFlags(int v) {
        checkWritable();
        bhs[1] = (byte) v;
        return this;
    }

    /** The F (final) bit, byte 1 bit 7. */
    public boolean finalBit() {
        return (bhs[1] & 0x80) != 0;
    }

    public int totalAhsLength() {
        return bhs[4] & 0xFF;
    }

    public int dataSegmentLength() {
        return u24(5);
    }

    private void setDataSegmentLength(int len) {
        setU24(5, len);
    }

    /** Bytes 8..15: LUN or opcode-specific. */
    public long lun() {
        return u64(8);
    }

    public Pdu setLun(long lun) {
        return setU64(8, lun);
    }

    /** Initiator Task Tag, bytes 16..19. */
    public int itt() {
        return u32(16);
    }

    public Pdu setItt(int itt) {
        return setU32(16, itt);
    }

    // ---- segments

    /** The raw BHS (not a copy): for Reject PDUs, which echo the offending header, and for digests. */
    public byte[] bhs() {
        return bhs;
    }

    public byte[] ahs() {
        return ahs;
    }

    /** The data segment (unpadded). Still owned by this Pdu. */
    public ByteBuf data() {
        return data;
    }

    /**
     * Replaces the data segment; ownership of {@code newData} moves in and the old buffer is released.
     */
    public Pdu setData(ByteBuf newData) {
        ByteBuf old = data;
        data = newData == null ? Unpooled.EMPTY_BUFFER : newData;
        setDataSegmentLength(data.readableBytes());
        if (old != data) {
            old.release();
        }
        return this;
    }

    /**
     * Declares a data segment of {@code length} bytes that is written after this PDU as separate
     * messages (a file region and its padding) instead of from a buffer: the BHS says {@code length},
     * the Pdu holds no data, and the encoder writes the header only. Never with data digests.
     */
    public Pdu declareExternalData(int length) {
        setData(null);
        setDataSegmentLength(length);
        return this;
    }

    /** Hands the data buffer to the caller (who must release it); the Pdu keeps an empty segment. */
    public ByteBuf takeData() {
        ByteBuf d = data;
        data = Unpooled.EMPTY_BUFFER;
        return d;
    }

    /** Releases the data segment. Safe to call more than once. */
    public void release() {
        ByteBuf d = data;
        data = Unpooled.EMPTY_BUFFER;
        if (d.refCnt() > 0 && d != Unpooled.EMPTY_BUFFER) {
            d.release();
        }
    }

    /** A copy of the BHS, e.g. to echo in a Reject. */
    public byte[] bhsCopy() {
        return Arrays.copyOf(bhs, BHS_LENGTH);
    }

    @Override
    public String toString() {
        Opcode op = opcode();
        return (op == null ? String.format("opcode 0x%02x", rawOpcode()) : op.name())
                + String.format(" itt=0x%08x dsl=%d", itt(), dataSegmentLength());
    }
}
