package org.vaaitarget.core.sbc.forensics;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.core.observe.MiscompareCause;
import org.vaaitarget.core.scsi.ItNexus;

/**
 * Everything known about one COMPARE AND WRITE (or VERIFY) miscompare, and the one structured log
 * record written for it on logger {@value #LOGGER_NAME}.
 *
 * @param initiatorName  the initiator's iSCSI name
 * @param isid           its session's ISID
 * @param target         the target name
 * @param lun            LU number
 * @param command        "COMPARE AND WRITE" or "VERIFY(16)" etc.
 * @param lba            first LBA of the command
 * @param blocks         NUMBER OF LOGICAL BLOCKS
 * @param offset         offset of the first differing byte from the start of the verify data
 *                       (the sense INFORMATION value)
 * @param windowStart    offset of the first byte shown in expectedHex/foundHex
 * @param expectedHex    up to {@value #WINDOW} bytes of the initiator's verify data around offset
 * @param foundHex       the same bytes as found on the medium
 * @param blockLba       the LBA of the block holding the first difference
 * @param lastWriter     who last wrote that block according to {@link WriterHistory}, or null
 * @param cause          what {@code lastWriter} says about the miscompare ({@link #causeOf})
 */
public record MiscompareReport(String initiatorName, String isid, String target, int lun, String command,
                               long lba, long blocks, long offset, long windowStart, String expectedHex,
                               String foundHex, long blockLba, WriteRecord lastWriter, MiscompareCause cause) {

    public static final String LOGGER_NAME = "org.vaaitarget.ats";
    static final int WINDOW = 16;
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER_NAME);

    /**
     * Builds the report. Reads {@code expected} and {@code found} without changing or releasing them.
     *
     * @param offset index of the first differing byte within both buffers (from their reader index)
     */
    public static MiscompareReport of(ItNexus nexus, int lun, String command, long lba, long blocks,
                                      int blockSize, ByteBuf expected, ByteBuf found, int offset,
                                      WriterHistory history) {
        return of(nexus, lun, command, lba, blocks, blockSize, expected, found, offset,
                history.lastWriter(blockOf(lba, offset, blockSize)));
    }

    /**
     * Builds the report with the last writer of the first differing block already looked up (while the
     * range lock was held, so that it is exact). Reads {@code expected} and {@code found} without changing
     * or releasing them.
     *
     * @param lastWriter what {@link WriterHistory#lastWriter} said for {@link #blockOf}, or null
     */
    public static MiscompareReport of(ItNexus nexus, int lun, String command, long lba, long blocks,
                                      int blockSize, ByteBuf expected, ByteBuf found, int offset,
                                      WriteRecord lastWriter) {
        int len = Math.min(expected.readableBytes(), found.readableBytes());
        int start = Math.max(0, Math.min(offset - WINDOW / 2, len - WINDOW));
        int count = Math.min(WINDOW, len - start);
        String exp = ByteBufUtil.hexDump(expected, expected.readerIndex() + start, count);
        String got = ByteBufUtil.hexDump(found, found.readerIndex() + start, count);
        return new MiscompareReport(nexus.initiatorName(), nexus.isid(), nexus.targetName(), lun, command,
                lba, blocks, offset, start, exp, got, blockOf(lba, offset, blockSize), lastWriter,
                causeOf(nexus, lastWriter));
    }

    /** The LBA of the block holding byte {@code offset} of a command's data that starts at {@code lba}. */
    public static long blockOf(long lba, int offset, int blockSize) {
        return lba + offset / blockSize;
    }

    /**
     * The cause of a miscompare whose first differing block was last written as {@code lastWriter} says
     * (null: no record): another initiator name is {@link MiscompareCause#CONTENTION}, the same initiator
     * name (any session or path of that host) is {@link MiscompareCause#OWN_WRITE}, no record is
     * {@link MiscompareCause#UNEXPLAINED}. The history holds the last write of the block made through this
     * target while the target ran; anything else (an older write, a larger one, a write to the file from
     * outside) leaves no record.
     */
    public static MiscompareCause causeOf(ItNexus nexus, WriteRecord lastWriter) {
        if (lastWriter == null) {
            return MiscompareCause.UNEXPLAINED;
        }
        return nexus.initiatorName().equals(initiatorNameOf(lastWriter.initiatorPort()))
                ? MiscompareCause.OWN_WRITE : MiscompareCause.CONTENTION;
    }

    /** The initiator name of an initiator port name "name,i,0xISID" (RFC 7143 4.4.1). */
    static String initiatorNameOf(String initiatorPort) {
        int i = initiatorPort.lastIndexOf(",i,0x");
        return i < 0 ? initiatorPort : initiatorPort.substring(0, i);
    }

    /**
     * Writes the one record for this miscompare, with every field as a key/value pair: a WARN record
     * while {@code budget} allows, else a DEBUG record (preceded, in a later second, by one WARN line
     * that counts the DEBUG-only records).
     */
    public void log(MiscompareLogBudget budget) {
        boolean warn = budget.admitWarn();
        if (!(warn ? LOG.isWarnEnabled() : LOG.isDebugEnabled())) {
            return; // skip formatting the arguments of a record nobody gets
        }
        long demoted = warn ? budget.takeDemoted() : 0;
        if (demoted > 0) {
            LOG.warn("{} more ATS miscompares on LUN {} were logged at DEBUG only (at most {} WARN records a second"
                    + " per LUN; every one counts in the org.vaaitarget.ats.stats line)",
                    demoted, lun, MiscompareLogBudget.WARN_PER_SECOND);
        }
        (warn ? LOG.atWarn() : LOG.atDebug())
                .addKeyValue("initiator", initiatorName)
                .addKeyValue("isid", isid)
                .addKeyValue("target", target)
                .addKeyValue("lun", lun)
                .addKeyValue("command", command)
                .addKeyValue("lba", lba)
                .addKeyValue("nlb", blocks)
                .addKeyValue("offset", offset)
                .addKeyValue("windowStart", windowStart)
                .addKeyValue("expected", expectedHex)
                .addKeyValue("found", foundHex)
                .addKeyValue("lastWriter", lastWriter == null ? "unknown" : lastWriter.initiatorPort())
                .addKeyValue("lastWriteCommand", lastWriter == null ? "" : lastWriter.command())
                .addKeyValue("lastWriteTime", lastWriter == null ? "" : lastWriter.time().toString())
                .addKeyValue("cause", cause.label())
                .log("ATS miscompare ({}) on LUN {} LBA {} (+{}) at offset {} from {},i,0x{}: expected {} found {} "
                                + "(bytes from offset {}); block {} last written by {}",
                        cause.label(), lun, lba, blocks, offset, initiatorName, isid, expectedHex, foundHex,
                        windowStart, blockLba, lastWriter == null ? "unknown (no recent small write recorded)"
                                : lastWriter.initiatorPort() + " with " + lastWriter.command() + " at "
                                + lastWriter.time());
    }
}
