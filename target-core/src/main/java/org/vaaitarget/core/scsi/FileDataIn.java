package org.vaaitarget.core.scsi;

import java.nio.channels.FileChannel;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Data-In that the transport sends straight from the backing file (zero-copy: sendfile from the page
 * cache) instead of from a buffer: the file, where the bytes are and how many. Offered only to a
 * transport that said it can send it ({@link ScsiCommand#fileDataInAccepted()}), and only when every
 * byte is already in the page cache, so that the send never waits for the disk.
 *
 * <p>The bytes are read when they are sent, after the task completed, so the read's SHARED range lock
 * stays held until then: {@link #release()} ends it. Whoever holds the {@link CommandResult} calls
 * {@code release()} exactly as it would release a Data-In buffer: after the last byte was written or
 * failed to be, or when it drops the response. Idempotent and thread-safe.
 *
 * <p>Not enough, which is why the server's configuration no longer offers it ({@code zeroCopyReads}
 * withdrawn, README "Zero-copy reads"): sendfile leaves the socket referencing the page-cache pages after
 * the write completed, so a WRITE granted after {@code release()} can still change bytes the initiator has
 * not received yet.
 *
 * @see CommandResult#releaseData()
 */
public final class FileDataIn {
    private final FileChannel channel;
    private final long position;
    private final int length;
    private final Runnable onRelease;
    private final AtomicBoolean released = new AtomicBoolean();

    /**
     * @param channel   the backing file; not owned (never closed through this object)
     * @param position  file offset of the first byte
     * @param length    number of bytes
     * @param onRelease what ends the claim on the bytes (the range lock's release); run once
     */
    public FileDataIn(FileChannel channel, long position, int length, Runnable onRelease) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.onRelease = Objects.requireNonNull(onRelease, "onRelease");
        if (position < 0 || length <= 0) {
            throw new IllegalArgumentException("bad file range: " + length + " bytes at " + position);
        }
        this.position = position;
        this.length = length;
    }

    public FileChannel channel() {
        return channel;
    }

    public long position() {
        return position;
    }

    public int length() {
        return length;
    }

    /** Ends the claim on the bytes (releases the read's range lock). Only the first call does anything. */
    public void release() {
        if (released.compareAndSet(false, true)) {
            onRelease.run();
        }
    }

    public boolean isReleased() {
        return released.get();
    }

    @Override
    public String toString() {
        return "FileDataIn[" + length + " bytes at " + position + (isReleased() ? ", released]" : "]");
    }
}
