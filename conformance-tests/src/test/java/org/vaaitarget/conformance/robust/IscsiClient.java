package org.vaaitarget.conformance.robust;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.vaaitarget.server.codec.DigestPolicy;
import org.vaaitarget.server.codec.FrameLimits;
import org.vaaitarget.server.codec.FramingState;
import org.vaaitarget.server.codec.IscsiFrameDecoder;
import org.vaaitarget.server.codec.IscsiFrameEncoder;
import org.vaaitarget.server.pdu.Opcode;
import org.vaaitarget.server.pdu.Pdu;

/**
 * A small blocking initiator built on the server's own codec, for robustness tests: raw bytes and
 * hand-made PDUs, plus a one-PDU login and one-command-at-a-time SCSI (immediate data only, so
 * writes stay within FirstBurstLength). Answers the target's NOP-In pings on the way.
 */
final class IscsiClient implements AutoCloseable {
    static final String INITIATOR = "iqn.2026-11.org.vaaitarget:robust-initiator";
    static final int FIRST_BURST = 65536;
    static final int RESERVED = 0xFFFFFFFF;

    /** SCSI status, sense bytes (may be empty) and Data-In of one command. */
    record Result(int status, byte[] sense, byte[] dataIn) {
        /** Fixed (70h/71h) or descriptor (72h/73h) format. */
        int senseKey() {
            if (sense.length < 3) {
                return -1;
            }
            return (sense[0] & 0x7F) >= 0x72 ? sense[1] & 0x0F : sense[2] & 0x0F;
        }

        boolean unitAttention() {
            return status == 0x02 && senseKey() == 0x06;
        }

        /** ADDITIONAL SENSE CODE and QUALIFIER as {@code asc << 8 | ascq}, or -1 without sense. */
        int ascAndQualifier() {
            boolean descriptor = sense.length > 0 && (sense[0] & 0x7F) >= 0x72;
            int at = descriptor ? 2 : 12;
            return sense.length < at + 2 ? -1 : (sense[at] & 0xFF) << 8 | (sense[at + 1] & 0xFF);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final FramingState framing = new FramingState();
    private final EmbeddedChannel encoder = new EmbeddedChannel(new IscsiFrameEncoder(framing));
    private final EmbeddedChannel decoder = new EmbeddedChannel(new IscsiFrameDecoder(framing));
    private int cmdSn = 1;
    private int expStatSn;
    private int nextItt = 1;

    IscsiClient(InetSocketAddress address, int readTimeoutMillis) throws IOException {
        socket = new Socket();
        socket.connect(address, 10_000);
        socket.setSoTimeout(readTimeoutMillis);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** Connects and logs in to {@code iqn} (operational stage straight to Full Feature Phase). */
    static IscsiClient loggedIn(InetSocketAddress address, String iqn, int isidQualifier) throws IOException {
        return loggedIn(address, iqn, isidQualifier, INITIATOR);
    }

    /** As {@link #loggedIn(InetSocketAddress, String, int)}, as initiator {@code initiator}. */
    static IscsiClient loggedIn(InetSocketAddress address, String iqn, int isidQualifier, String initiator)
            throws IOException {
        IscsiClient c = new IscsiClient(address, 30_000);
        try {
            int status = c.login(iqn, isidQualifier, initiator);
            if (status != 0) {
                throw new IOException("login failed with status 0x" + Integer.toHexString(status));
            }
            return c;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** One Login Request CSG=1 NSG=3 T=1; returns the Login Response status (class << 8 | detail). */
    int login(String iqn, int isidQualifier) throws IOException {
        return login(iqn, isidQualifier, INITIATOR);
    }

    int login(String iqn, int isidQualifier, String initiator) throws IOException {
        send(loginRequest(iqn, isidQualifier, initiator));
        Pdu rsp = receive();
        if (rsp == null) {
            throw new IOException("connection closed during login");
        }
        try {
            if (rsp.opcode() != Opcode.LOGIN_RESPONSE) {
                throw new IOException("expected a Login Response, got " + rsp);
            }
            expStatSn = rsp.u32(24) + 1;
            int status = rsp.u16(36);
            if (status == 0) {
                framing.enterFullFeaturePhase(DigestPolicy.NONE, FrameLimits.forDeclared(262144));
            }
            return status;
        } finally {
            rsp.release();
        }
    }

    static Pdu loginRequest(String iqn, int isidQualifier) {
        return loginRequest(iqn, isidQualifier, INITIATOR);
    }

    static Pdu loginRequest(String iqn, int isidQualifier, String initiator) {
        String text = "InitiatorName=" + initiator + "\0TargetName=" + iqn + "\0SessionType=Normal\0"
                + "HeaderDigest=None\0DataDigest=None\0InitialR2T=Yes\0ImmediateData=Yes\0"
                + "MaxRecvDataSegmentLength=262144\0FirstBurstLength=" + FIRST_BURST + "\0MaxBurstLength=262144\0"
                + "ErrorRecoveryLevel=0\0";
        Pdu p = Pdu.create(Opcode.LOGIN_REQUEST).setImmediate(true);
        p.setFlags(0x80 | (1 << 2) | 3);
        p.setU16(8, 0x0002).setU32(10, 0x3d000000 | (isidQualifier & 0xFFFF));
        p.setItt(0).setU32(24, 1).setU32(28, 0);
        p.setData(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
        return p;
    }

    /** The CmdSN the next non-immediate command will carry. */
    int nextCmdSn() {
        return cmdSn;
    }

    /** The CmdSN for a hand-made non-immediate command: returned and consumed. */
    int takeCmdSn() {
        return cmdSn++;
    }

    int expStatSn() {
        return expStatSn;
    }

    int newItt() {
        return nextItt++;
    }

    // ---------------------------------------------------------------- SCSI

    /**
     * A SCSI command with all of its Data-Out as immediate data (at most FirstBurstLength), sent again
     * after a UNIT ATTENTION (the first command of a new I_T nexus gets POWER ON, RESET, SAM-5 5.14).
     */
    Result command(byte[] cdb, int edtl, boolean read, byte[] dataOut) throws IOException {
        Result r = commandOnce(cdb, edtl, read, dataOut);
        for (int i = 0; i < 4 && r.unitAttention(); i++) {
            r = commandOnce(cdb, edtl, read, dataOut);
        }
        return r;
    }

    /** One SCSI command, UNIT ATTENTION returned as it is. */
    Result commandOnce(byte[] cdb, int edtl, boolean read, byte[] dataOut) throws IOException {
        return commandOnce(0, cdb, edtl, read, dataOut);
    }

    /** One SCSI command to LUN {@code lun} (below 256: peripheral addressing, SAM-5 4.7.7). */
    Result commandOnce(int lun, byte[] cdb, int edtl, boolean read, byte[] dataOut) throws IOException {
        return awaitResult(sendCommand(lun, cdb, edtl, read, dataOut));
    }

    /** Sends one SCSI command to LUN 0 (Data-Out as immediate data only) without waiting; returns its ITT. */
    int sendCommand(byte[] cdb, int edtl, boolean read, byte[] dataOut) throws IOException {
        return sendCommand(0, cdb, edtl, read, dataOut);
    }

    /** Sends one SCSI command to LUN {@code lun} without waiting; returns its ITT. */
    int sendCommand(int lun, byte[] cdb, int edtl, boolean read, byte[] dataOut) throws IOException {
        if (dataOut != null && dataOut.length > FIRST_BURST) {
            throw new IllegalArgumentException("test client sends immediate data only");
        }
        int itt = newItt();
        Pdu p = Pdu.create(Opcode.SCSI_COMMAND);
        p.setFlags(0x80 | (read ? 0x40 : 0) | (dataOut != null ? 0x20 : 0) | 0x01);
        p.setItt(itt).setU32(20, edtl).setU32(24, cmdSn++).setU32(28, expStatSn);
        p.setLun((long) lun << 48);
        for (int i = 0; i < cdb.length; i++) {
            p.setU8(32 + i, cdb[i]);
        }
        if (dataOut != null) {
            p.setData(Unpooled.wrappedBuffer(dataOut));
        }
        send(p);
        return itt;
    }

    /** Reads PDUs until the status of {@code itt}, collecting its Data-In. */
    Result awaitResult(int itt) throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        while (true) {
            Pdu r = receiveSkippingPings();
            if (r == null) {
                throw new IOException("connection closed before the response of itt " + itt);
            }
            try {
                if (r.opcode() == Opcode.DATA_IN && r.itt() == itt) {
                    r.data().readBytes(data, r.data().readableBytes());
                    if ((r.flags() & 0x01) != 0) {               // S: status in this PDU
                        expStatSn = r.u32(24) + 1;
                        return new Result(r.u8(3), new byte[0], data.toByteArray());
                    }
                } else if (r.opcode() == Opcode.SCSI_RESPONSE && r.itt() == itt) {
                    expStatSn = r.u32(24) + 1;
                    byte[] sense = new byte[0];
                    if (r.data().readableBytes() >= 2) {
                        int len = r.data().getUnsignedShort(r.data().readerIndex());
                        sense = new byte[Math.min(len, r.data().readableBytes() - 2)];
                        r.data().getBytes(r.data().readerIndex() + 2, sense);
                    }
                    return new Result(r.u8(3), sense, data.toByteArray());
                } else if (r.opcode() == Opcode.REJECT) {
                    throw new IOException("command rejected, reason 0x" + Integer.toHexString(r.u8(2)));
                }
                // anything else (Async Message...) is ignored here
            } finally {
                r.release();
            }
        }
    }

    static byte[] write16(long lba, int blocks, boolean fua) {
        ByteBuffer b = ByteBuffer.allocate(16);
        b.put((byte) 0x8A).put((byte) (fua ? 0x08 : 0)).putLong(lba).putInt(blocks);
        return b.array();
    }

    static byte[] read16(long lba, int blocks) {
        ByteBuffer b = ByteBuffer.allocate(16);
        b.put((byte) 0x88).put((byte) 0).putLong(lba).putInt(blocks);
        return b.array();
    }

    /** COMPARE AND WRITE (SBC-4 5.3), NUMBER OF LOGICAL BLOCKS at byte 13. */
    static byte[] compareAndWrite(long lba, int blocks, boolean fua) {
        ByteBuffer b = ByteBuffer.allocate(16);
        b.put((byte) 0x89).put((byte) (fua ? 0x08 : 0)).putLong(lba).put(new byte[3]).put((byte) blocks);
        return b.array();
    }

    Result write(long lba, byte[] data, boolean fua) throws IOException {
        return command(write16(lba, data.length / 512, fua), data.length, false, data);
    }

    Result read(long lba, int blocks) throws IOException {
        return command(read16(lba, blocks), blocks * 512, true, null);
    }

    Result compareAndWrite(long lba, byte[] expected, byte[] replacement, boolean fua) throws IOException {
        byte[] both = Arrays.copyOf(expected, expected.length + replacement.length);
        System.arraycopy(replacement, 0, both, expected.length, replacement.length);
        return command(compareAndWrite(lba, expected.length / 512, fua), both.length, false, both);
    }

    // ---------------------------------------------------------------- wire

    void send(Pdu pdu) throws IOException {
        encoder.writeOutbound(pdu);
        ByteBuf b;
        while ((b = encoder.readOutbound()) != null) {
            try {
                b.readBytes(out, b.readableBytes());
            } finally {
                b.release();
            }
        }
        out.flush();
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /**
     * Takes exactly {@code count} bytes off the socket into the decoder and no more, so that the rest
     * stays queued in the kernel (a reader that stops part-way through a PDU); {@link #receive()}
     * continues from there.
     */
    void pullRaw(int count) throws IOException {
        byte[] buf = in.readNBytes(count);
        if (buf.length < count) {
            throw new IOException("connection closed after " + buf.length + " of " + count + " bytes");
        }
        decoder.writeInbound(Unpooled.wrappedBuffer(buf));
    }

    /** The next PDU (the caller releases it), or null when the target closed the connection. */
    Pdu receive() throws IOException {
        byte[] buf = new byte[65536];
        while (true) {
            Object o = decoder.readInbound();
            if (o instanceof Pdu p) {
                return p;
            }
            int n;
            try {
                n = in.read(buf);
            } catch (java.net.SocketException e) {
                return null;                         // reset by the target
            }
            if (n < 0) {
                return null;
            }
            decoder.writeInbound(Unpooled.copiedBuffer(buf, 0, n));
        }
    }

    /** As {@link #receive()}, answering NOP-In pings (TTT != 0xFFFFFFFF, RFC 7143 11.19) on the way. */
    Pdu receiveSkippingPings() throws IOException {
        while (true) {
            Pdu p = receive();
            if (p == null || p.opcode() != Opcode.NOP_IN || p.u32(20) == RESERVED) {
                return p;
            }
            Pdu answer = Pdu.create(Opcode.NOP_OUT).setImmediate(true).setFlags(0x80);
            answer.setItt(RESERVED).setU32(20, p.u32(20)).setU32(24, cmdSn).setU32(28, expStatSn);
            p.release();
            send(answer);
        }
    }

    /** How long a read waits before {@link java.net.SocketTimeoutException}. */
    void readTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    /**
     * True when the target has closed the connection (reads until EOF, skipping PDUs; a reset counts: it follows the
     * target's close when this side wrote after it).
     */
    boolean closedByTarget() throws IOException {
        while (true) {
            Pdu p;
            try {
                p = receive();
            } catch (java.net.SocketTimeoutException e) {
                return false;
            } catch (java.net.SocketException e) {
                return true;
            }
            if (p == null) {
                return true;
            }
            p.release();
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        encoder.finishAndReleaseAll();
        decoder.finishAndReleaseAll();
    }
}
