package org.vaaitarget.server.pdu;

import java.util.Objects;

/**
 * Read-only views with named getters over received initiator PDUs (RFC 7143 section 11), one per kind, in
 * the manner of SPDK's named BHS structs. A view is a thin record over the {@link Pdu}: the received header
 * cannot be changed ({@link Pdu#decoded} headers are immutable) and the data segment stays owned by the Pdu.
 */
public final class InitiatorPdus {
    private InitiatorPdus() {
    }

    /** Fields every sequenced initiator request carries at the same offsets (RFC 7143 11.2.1, 3.2.2). */
    public interface Request {
        Pdu pdu();

        default int itt() {
            return pdu().itt();
        }

        default boolean immediate() {
            return pdu().immediate();
        }

        /** CmdSN (bytes 24..27). */
        default int cmdSn() {
            return pdu().u32(Bhs.CMD_SN);
        }

        /** ExpStatSN (bytes 28..31). */
        default int expStatSn() {
            return pdu().u32(Bhs.EXP_STAT_SN);
        }
    }

    /** The initiator PDUs that carry a Target Transfer Tag back to the target (RFC 7143 11.7, 11.10, 11.18). */
    public interface Transfer {
        Pdu pdu();

        /** Target Transfer Tag (bytes 20..23); {@link Bhs#RESERVED_TAG} when none. */
        default int ttt() {
            return pdu().u32(Bhs.TTT);
        }
    }

    /** Any sequenced request, read only for the fields all of them share (CmdSN ordering, RFC 7143 3.2.2.1). */
    public record AnyRequest(Pdu pdu) implements Request {
    }

    /** SCSI Command (RFC 7143 11.3). */
    public record ScsiCommand(Pdu pdu) implements Request {
        public static final int READ = 0x40;
        public static final int WRITE = 0x20;
        private static final int EDTL = 20;
        private static final int CDB = 32;
        private static final int CDB_FIELD_LENGTH = 16;

        public ScsiCommand {
            Objects.requireNonNull(pdu);
        }

        public boolean read() {
            return (pdu.flags() & READ) != 0;
        }

        public boolean write() {
            return (pdu.flags() & WRITE) != 0;
        }

        /** The F bit: no unsolicited Data-Out follows (RFC 7143 11.3.1.1). */
        public boolean finalBit() {
            return pdu.finalBit();
        }

        /** Task attribute, byte 1 bits 0..2 (RFC 7143 11.3.1.2). */
        public int attribute() {
            return pdu.flags() & 0x07;
        }

        /** A copy of the 16-byte CDB field, bytes 32..47 (RFC 7143 11.3.5; longer CDBs continue in an AHS). */
        public byte[] cdbField() {
            return java.util.Arrays.copyOfRange(pdu.bhs(), CDB, CDB + CDB_FIELD_LENGTH);
        }

        /** Expected Data Transfer Length, unsigned (RFC 7143 11.3.4). */
        public long expectedDataTransferLength() {
            return pdu.u32(EDTL) & 0xFFFFFFFFL;
        }
    }

    /** SCSI Data-Out (RFC 7143 11.7). */
    public record DataOut(Pdu pdu) implements Transfer {
        private static final int DATA_SN = 36;
        private static final int BUFFER_OFFSET = 40;

        public int expStatSn() {
            return pdu.u32(Bhs.EXP_STAT_SN);
        }

        public int dataSn() {
            return pdu.u32(DATA_SN);
        }

        public int bufferOffset() {
            return pdu.u32(BUFFER_OFFSET);
        }
    }

    /** NOP-Out (RFC 7143 11.18). */
    public record NopOut(Pdu pdu) implements Request, Transfer {
        /** ITT 0xFFFFFFFF: an answer to our NOP-In ping, or a ping that wants no answer. */
        public boolean wantsNoAnswer() {
            return pdu.itt() == Bhs.RESERVED_TAG;
        }
    }

    /** Task Management Function Request (RFC 7143 11.5). */
    public record TaskMgmt(Pdu pdu) implements Request {
        private static final int REFERENCED_TASK_TAG = 20;
        private static final int REF_CMD_SN = 32;

        public int function() {
            return pdu.flags() & 0x7F;
        }

        public int referencedTaskTag() {
            return pdu.u32(REFERENCED_TASK_TAG);
        }

        public int refCmdSn() {
            return pdu.u32(REF_CMD_SN);
        }
    }

    /** Text Request (RFC 7143 11.10). */
    public record TextRequest(Pdu pdu) implements Request, Transfer {
        /** The C bit: more text of this request follows. */
        public boolean continues() {
            return (pdu.flags() & Bhs.C_BIT) != 0;
        }
    }

    /** Logout Request (RFC 7143 11.14). */
    public record LogoutRequest(Pdu pdu) implements Request {
        /** Reason code 0: close the session. */
        public static final int CLOSE_SESSION = 0;
        /** Reason code 1: close the connection. */
        public static final int CLOSE_CONNECTION = 1;
        /** Reason code 2: remove the connection for recovery. */
        public static final int REMOVE_FOR_RECOVERY = 2;
        private static final int CID = 20;

        public int reason() {
            return pdu.flags() & 0x7F;
        }

        public int cid() {
            return pdu.u16(CID);
        }
    }

    /** Login Request (RFC 7143 11.12). */
    public record LoginRequest(Pdu pdu) implements Request {
        private static final int VERSION_MAX = 2;
        private static final int VERSION_MIN = 3;
        private static final int ISID = 8;
        private static final int TSIH = 14;
        private static final int CID = 20;

        public boolean transit() {
            return pdu.finalBit();
        }

        public boolean continues() {
            return (pdu.flags() & Bhs.C_BIT) != 0;
        }

        public int currentStage() {
            return (pdu.flags() >> 2) & 3;
        }

        public int nextStage() {
            return pdu.flags() & 3;
        }

        public int versionMax() {
            return pdu.u8(VERSION_MAX);
        }

        public int versionMin() {
            return pdu.u8(VERSION_MIN);
        }

        /** The 6-byte ISID. */
        public long isid() {
            return ((long) pdu.u16(ISID) << 32) | (pdu.u32(ISID + 2) & 0xFFFFFFFFL);
        }

        public int tsih() {
            return pdu.u16(TSIH);
        }

        public int cid() {
            return pdu.u16(CID);
        }
    }
}
