package org.vaaitarget.core.store.file;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.core.store.AllocationExtent;

/**
 * Deallocation and allocation queries on the backing file: hole punching where the kernel and file system
 * support it, writing zeros where not (so unmapped blocks always read back as zeros), and SEEK_DATA /
 * SEEK_HOLE for provisioning status. Blocking: call on the store's executor only.
 */
final class SparseRegions implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SparseRegions.class);
    private static final int ZERO_CHUNK = 1 << 20;

    private final Path path;
    private final FileChannel channel;
    private final LinuxFileOps ops; // null where the native calls are unavailable
    private final AtomicBoolean punchRefused = new AtomicBoolean();

    SparseRegions(Path path, FileChannel channel) {
        this(path, channel, LinuxFileOps.open(path).orElse(null));
    }

    /** @param ops the native calls, or null to write zeros and report everything mapped (as off Linux) */
    SparseRegions(Path path, FileChannel channel, LinuxFileOps ops) {
        this.path = path;
        this.channel = channel;
        this.ops = ops;
        if (ops == null) {
            punchRefused.set(true);
        }
    }

    /** Makes [offset, offset + length) read as zeros, freeing its space when the file system can. */
    void deallocate(long offset, long length) throws IOException {
        if (!punchRefused.get()) {
            try {
                ops.punchHole(offset, length);
                return;
            } catch (LastErrorException e) {
                int errno = e.getErrorCode();
                if (errno != LinuxFileOps.EOPNOTSUPP && errno != LinuxFileOps.ENOSYS) {
                    throw new IOException(path + ": fallocate(PUNCH_HOLE) failed with errno " + errno, e);
                }
                if (punchRefused.compareAndSet(false, true)) {
                    LOG.warn("{}: the file system cannot punch holes (errno {}); UNMAP now writes zeros and frees no space",
                            path, errno);
                }
            }
        }
        writeZeros(offset, length);
    }

    private void writeZeros(long offset, long length) throws IOException {
        long position = offset;
        long end = offset + length;
        while (position < end) {
            ByteBuffer zeros = Zeros.CHUNK.duplicate();
            zeros.limit((int) Math.min(ZERO_CHUNK, end - position));
            while (zeros.hasRemaining()) {
                position += channel.write(zeros, position);
            }
        }
    }

    /**
     * The run of blocks starting at {@code lba} (below {@code blockCount}) that are all mapped or all
     * unmapped. A block partly holding data counts as mapped. Without SEEK_DATA support everything is
     * reported mapped, which is the thick-provisioned truth.
     */
    AllocationExtent extentAt(long lba, long blockCount, int blockSize) throws IOException {
        if (ops == null) {
            return new AllocationExtent(lba, blockCount - lba, true);
        }
        long offset = lba * blockSize;
        long data = ops.nextData(offset);
        if (data < 0 || data / blockSize >= blockCount) {
            return new AllocationExtent(lba, blockCount - lba, false);
        }
        long firstMapped = data / blockSize; // the block holding the first data byte is mapped
        if (firstMapped > lba) {
            return new AllocationExtent(lba, firstMapped - lba, false);
        }
        long hole = ops.nextHole(Math.max(offset, data));
        long endMapped = Math.min(blockCount, (hole + blockSize - 1) / blockSize);
        return new AllocationExtent(lba, Math.max(1, endMapped - lba), true);
    }

    /**
     * Bytes of {@code [0, fileSize)} that hold data (the sum of the SEEK_DATA/SEEK_HOLE data extents),
     * or -1 when the native calls are unavailable. Costs one pair of lseek calls per extent.
     */
    long allocatedBytes(long fileSize) throws IOException {
        if (ops == null) {
            return -1;
        }
        long total = 0;
        long offset = 0;
        while (offset < fileSize) {
            long data = ops.nextData(offset);
            if (data < 0 || data >= fileSize) {
                break;
            }
            long hole = Math.min(fileSize, ops.nextHole(data));
            total += hole - data;
            offset = hole;
        }
        return total;
    }

    @Override
    public void close() {
        if (ops != null) {
            ops.close();
        }
    }

    /** One shared read-only chunk of zeros, created on first use. */
    private static final class Zeros {
        static final ByteBuffer CHUNK = ByteBuffer.allocateDirect(ZERO_CHUNK).asReadOnlyBuffer();
    }
}
