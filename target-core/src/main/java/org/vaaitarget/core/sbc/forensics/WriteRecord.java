package org.vaaitarget.core.sbc.forensics;

import java.time.Instant;

/**
 * Who last wrote one block, as far as {@link WriterHistory} remembers.
 *
 * @param initiatorPort the writer's SCSI initiator port name ("iqn...,i,0x&lt;isid&gt;")
 * @param command       the command's name, e.g. "WRITE(16)" or "COMPARE AND WRITE"
 * @param lba           first LBA of that command
 * @param blocks        its block count
 * @param time          when the write completed
 */
public record WriteRecord(String initiatorPort, String command, long lba, long blocks, Instant time) {
}
