package org.vaaitarget.core.scsi;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * One SCSI task as the transport hands it to the core: the CDB, the addressed LUN, the nexus, the
 * transport's Expected Data Transfer Length and, for Data-Out commands, all of the data the
 * initiator sent (exactly EDTL bytes, or fewer if the transport had to stop early).
 *
 * <p>Ownership: the {@code dataOut} buffer moves into the core with {@link ScsiTaskRouter#submit};
 * the core releases it exactly once, whatever happens to the task.
 *
 * @param nexus                  who sent it
 * @param lun                    the 8-byte SAM LUN field as a long (see {@link LunAddress})
 * @param cdb                    the CDB bytes (6 to 16, or more with AHS); never modified
 * @param expectedLength         the transport's Expected Data Transfer Length (EDTL), bytes: an unsigned
 *                               32-bit field in iSCSI (RFC 7143 11.3.4), so 0 to 2^32 - 1, never negative
 * @param direction              READ, WRITE or NONE, from the transport's R/W bits
 * @param attribute              task attribute
 * @param taskTag                the transport's task tag (iSCSI ITT), for TMF and logs
 * @param dataOut                Data-Out payload, or null when there is none
 * @param fileDataInAccepted     the transport can send Data-In straight from a file ({@link FileDataIn});
 *                               otherwise results carry Data-In only as buffers
 */
public record ScsiCommand(ItNexus nexus, long lun, byte[] cdb, long expectedLength, DataDirection direction,
                          TaskAttribute attribute, long taskTag, ByteBuf dataOut, boolean fileDataInAccepted) {

    /** A command whose Data-In must come as a buffer. */
    public ScsiCommand(ItNexus nexus, long lun, byte[] cdb, long expectedLength, DataDirection direction,
                       TaskAttribute attribute, long taskTag, ByteBuf dataOut) {
        this(nexus, lun, cdb, expectedLength, direction, attribute, taskTag, dataOut, false);
    }

    public ScsiCommand {
        Objects.requireNonNull(nexus, "nexus");
        Objects.requireNonNull(cdb, "cdb");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(attribute, "attribute");
        if (expectedLength < 0) {
            throw new IllegalArgumentException("negative expected length " + expectedLength);
        }
    }

    /** Operation code (CDB byte 0). */
    public int opcode() {
        return cdb.length == 0 ? -1 : cdb[0] & 0xFF;
    }

    /** Length of the Data-Out payload actually received. */
    public int dataOutLength() {
        return dataOut == null ? 0 : dataOut.readableBytes();
    }
}
