package org.vaaitarget.core.store.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All-or-nothing writes across a power loss (WRITE ATOMIC(16), SBC-4 4.29): a one-record redo journal
 * beside the LUN file ({@code <file>.atomic}).
 *
 * <p><b>Protocol</b> (one atomic write at a time per LUN; the caller holds the EXCLUSIVE range lock):
 * <ol>
 *   <li>write the record (header: magic, offset, length; the data; a CRC32C of both) at the start of the
 *       journal and force the journal: from now on the new image can always be rebuilt;</li>
 *   <li>write the data in place and force the LUN file;</li>
 *   <li>truncate the journal to zero and force it: the record can never be replayed over a later write
 *       to those blocks, which can only start once the range lock is released after this step.</li>
 * </ol>
 * <p><b>Recovery</b> at open: a record whose CRC matches is complete, so step 1 finished and the in-place
 * write may have been torn: it is written again in place and forced. A record that does not check (torn
 * in step 1, at any 512-byte sector) is ignored: the in-place write had not started. Either way the
 * journal is then emptied. So after any crash the blocks of an atomic write hold all of the old data or
 * all of the new, and a write that completed (GOOD) is there whole.
 *
 * <p>An atomic write is always durable when it completes (three forces), whatever the write cache mode.
 */
final class AtomicWriteJournal {
    private static final Logger LOG = LoggerFactory.getLogger(AtomicWriteJournal.class);
    private static final long MAGIC = 0x5641_4149_4154_4F4DL;      // "VAAIATOM"
    static final int HEADER = 8 + 8 + 4;
    private static final int TRAILER = 4;

    private final PositionalFile journal;
    private final PositionalFile lun;
    private final long lunBytes;
    private final int maxBytes;

    /**
     * @param maxBytes the largest atomic write (what the LU advertises); larger records are never valid
     */
    AtomicWriteJournal(PositionalFile journal, PositionalFile lun, long lunBytes, int maxBytes) {
        this.journal = journal;
        this.lun = lun;
        this.lunBytes = lunBytes;
        this.maxBytes = maxBytes;
    }

    /**
     * Replays a complete record, drops a torn one, empties the journal. Call once at open, before any I/O.
     *
     * @return true when a record was replayed
     */
    boolean recover(String name) throws IOException {
        long size = journal.size();
        if (size == 0) {
            return false;
        }
        boolean replayed = false;
        if (size >= HEADER + TRAILER) {
            ByteBuffer header = ByteBuffer.allocate(HEADER);
            journal.read(header, 0);
            header.flip();
            long magic = header.getLong();
            long offset = header.getLong();
            int length = header.getInt();
            if (magic == MAGIC && length > 0 && length <= maxBytes && offset >= 0 && offset <= lunBytes - length
                    && size >= (long) HEADER + length + TRAILER) {
                ByteBuffer data = ByteBuffer.allocate(length);
                journal.read(data, HEADER);
                ByteBuffer trailer = ByteBuffer.allocate(TRAILER);
                journal.read(trailer, HEADER + length);
                header.flip();
                data.flip();
                if (crc(header, data.duplicate()) == trailer.getInt(0)) {
                    lun.write(data, offset);
                    lun.force();
                    replayed = true;
                    LOG.warn("{}: replayed an interrupted atomic write of {} bytes at byte {}", name, length, offset);
                }
            }
            if (!replayed) {
                LOG.warn("{}: dropped a torn atomic-write record (the write had not begun in place)", name);
            }
        }
        journal.truncate(0);
        journal.force();
        return replayed;
    }

    /** Writes {@code data} at byte {@code offset} of the LUN all or nothing (see the class comment). */
    synchronized void write(long offset, ByteBuffer data) throws IOException {
        int length = data.remaining();
        if (length <= 0 || length > maxBytes || offset < 0 || offset > lunBytes - length) {
            throw new IllegalArgumentException("atomic write of " + length + " bytes at " + offset + " out of bounds");
        }
        ByteBuffer header = ByteBuffer.allocate(HEADER).putLong(MAGIC).putLong(offset).putInt(length).flip();
        ByteBuffer record = ByteBuffer.allocate(HEADER + length + TRAILER);
        record.put(header.duplicate()).put(data.duplicate()).putInt(crc(header.duplicate(), data.duplicate())).flip();
        journal.write(record, 0);
        journal.force();
        lun.write(data.duplicate(), offset);
        lun.force();
        journal.truncate(0);
        journal.force();
    }

    private static int crc(ByteBuffer header, ByteBuffer data) {
        CRC32C c = new CRC32C();
        c.update(header);
        c.update(data);
        return (int) c.getValue();
    }
}
