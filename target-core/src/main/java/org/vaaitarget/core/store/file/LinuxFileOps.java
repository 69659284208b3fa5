package org.vaaitarget.core.store.file;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Linux calls Java 17 has no API for: {@code fallocate(PUNCH_HOLE)} and {@code lseek(SEEK_DATA/SEEK_HOLE)},
 * through JNA; and the errno of a failed write, which {@link java.nio.channels.FileChannel} turns into an
 * IOException carrying only strerror's text in the process's locale ({@link #writeErrno}, {@link #fileSystemErrno}).
 *
 * <p>The descriptor: a FileChannel does not expose its fd without {@code --add-opens} into JDK internals,
 * so this class opens the same path a second time with {@code open(2)} right after the channel is opened
 * and keeps that descriptor for the life of the store. Both descriptors refer to the same inode, so a hole
 * punched through one is seen through the other (the kernel drops the page cache of the punched range).
 * This needs no JDK internals and works on every JDK; the cost is one extra descriptor per LUN.
 *
 * <p>Only 64-bit Linux: the {@code off_t} arguments are mapped as Java {@code long}.
 */
final class LinuxFileOps implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LinuxFileOps.class);

    // Linux values, the same on x86_64 and aarch64 (asm-generic and x86 fcntl.h agree on these).
    private static final int O_RDONLY = 0;
    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 0x80000;
    private static final int FALLOC_FL_KEEP_SIZE = 0x01;
    private static final int FALLOC_FL_PUNCH_HOLE = 0x02;
    private static final int SEEK_DATA = 3;
    private static final int SEEK_HOLE = 4;
    static final int ENXIO = 6;
    static final int ENOSPC = 28;
    static final int EROFS = 30;
    static final int EDQUOT = 122;
    /** statvfs f_flag bit: mounted read-only. */
    private static final long ST_RDONLY = 1;
    /** struct statvfs on 64-bit Linux (glibc): eleven 8-byte fields, then int __f_spare[6]. */
    private static final int STATVFS_SIZE = 112;
    private static final int STATVFS_BFREE = 24;
    private static final int STATVFS_FLAG = 72;
    /** Bytes per pwrite in {@link #writeErrno}. */
    private static final int PROBE_CHUNK = 1 << 20;
    static final int ENOSYS = 38;
    static final int EOPNOTSUPP = 95;
    static final int EAGAIN = 11;
    /** preadv2 flag (Linux 4.14): return EAGAIN instead of waiting for the disk. */
    private static final int RWF_NOWAIT = 0x08;
    /** Cleared for good the first time the kernel refuses RWF_NOWAIT (too old, or the file system lacks it). */
    private volatile boolean nowaitWorks = true;

    /** The libc functions used; every call throws {@link LastErrorException} carrying errno on -1. */
    interface LibC extends Library {
        int open(String path, int flags) throws LastErrorException;

        int close(int fd) throws LastErrorException;

        int fallocate(int fd, int mode, long offset, long length) throws LastErrorException;

        long lseek(int fd, long offset, int whence) throws LastErrorException;

        long pwrite(int fd, byte[] buf, long count, long offset) throws LastErrorException;

        int fstatvfs(int fd, byte[] buf) throws LastErrorException;
    }

    /**
     * {@code preadv2}, bound by JNA direct mapping: it runs for every inline read, and the interface
     * mapping's reflective call with an array argument cost about as much CPU as the kernel's copy
     * (11 % of the target's CPU at 4 KiB qd1 reads, measured with async-profiler). Only primitive
     * arguments, so the call marshals nothing.
     */
    private static final class DirectCalls {
        /** {@code iov}: the native address of {base, length} pairs, the layout of struct iovec on 64-bit Linux. */
        static native long preadv2(int fd, long iov, int iovcnt, long offset, int flags) throws LastErrorException;

        static native int getpagesize();

        /**
         * {@code syscall(2)} with the argument list of {@code cachestat(2)} (Linux 6.5): {@code range}
         * and {@code cstat} are native addresses of struct cachestat_range and struct cachestat.
         */
        static native long syscall(long number, int fd, long range, long cstat, int flags) throws LastErrorException;

        private DirectCalls() {
        }
    }

    /**
     * Per-thread native scratch memory for the structs the direct calls take (calls are synchronous, so
     * never shared): bytes 0-15 a struct iovec or struct cachestat_range, bytes 16-55 a struct cachestat.
     */
    private static final class Scratch {
        static final int CACHESTAT = 16;
        final ByteBuffer buffer = ByteBuffer.allocateDirect(64).order(ByteOrder.nativeOrder());
        final long address = Pointer.nativeValue(Native.getDirectBufferPointer(buffer));
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
    /** cachestat's number in the generic syscall table, which x86_64 and aarch64 share for it. */
    private static final long SYS_CACHESTAT = 451;
    /** Cleared for good the first time cachestat is refused (a kernel older than 6.5, or seccomp). */
    private volatile boolean cachestatWorks = "amd64".equals(System.getProperty("os.arch"))
            || "aarch64".equals(System.getProperty("os.arch"));

    private static final LibC LIBC = loadLibC();
    private static final boolean DIRECT_CALLS_BOUND = LIBC != null && bindDirectCalls();
    private static final long PAGE_SIZE = DIRECT_CALLS_BOUND ? DirectCalls.getpagesize() : 4096;

    private final Path path;
    private final int fd;
    /** Calls share it; close takes it exclusively, so the fd is never used after close (or reused by another file). */
    private final ReadWriteLock closing = new ReentrantReadWriteLock();
    private boolean closed;

    private LinuxFileOps(Path path, int fd) {
        this.path = path;
        this.fd = fd;
    }

    private static LibC loadLibC() {
        if (!Platform.isLinux() || Native.LONG_SIZE != 8) {
            LOG.info("Not 64-bit Linux: UNMAP writes zeros and every block reports as mapped");
            return null;
        }
        try {
            return Native.load("c", LibC.class);
        } catch (LinkageError | RuntimeException e) {
            LOG.warn("Cannot load libc through JNA ({}): UNMAP writes zeros and every block reports as mapped",
                    e.toString());
            return null;
        }
    }

    private static boolean bindDirectCalls() {
        try {
            Native.register(DirectCalls.class, NativeLibrary.getInstance("c"));
            return true;
        } catch (LinkageError | RuntimeException e) {
            LOG.info("preadv2/cachestat unavailable ({}): every read goes through the store executor", e.toString());
            return false;
        }
    }

    /** Opens a second descriptor on {@code path}, or returns empty where these calls are unavailable. */
    static Optional<LinuxFileOps> open(Path path) {
        return open(path, false);
    }

    /** {@link #open(Path)}, read-only for a write-protected LUN (whose file the server may not be able to write). */
    static Optional<LinuxFileOps> open(Path path, boolean readOnly) {
        if (LIBC == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new LinuxFileOps(path, LIBC.open(path.toString(), (readOnly ? O_RDONLY : O_RDWR) | O_CLOEXEC)));
        } catch (LastErrorException e) {
            LOG.warn("{}: open(2) failed with errno {}: UNMAP writes zeros", path, e.getErrorCode());
            return Optional.empty();
        }
    }

    /**
     * Deallocates [offset, offset + length) keeping the file size; the range reads back as zeros.
     *
     * @throws LastErrorException with errno when the kernel refuses (EOPNOTSUPP where the file system
     *                            cannot punch holes)
     */
    void punchHole(long offset, long length) {
        Lock lock = openLock();
        try {
            LIBC.fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Where the next data at or after {@code offset} starts ({@code lseek SEEK_DATA}), or -1 when only a
     * hole follows up to the end of the file.
     */
    long nextData(long offset) throws IOException {
        Lock lock = openLock();
        try {
            return LIBC.lseek(fd, offset, SEEK_DATA);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == ENXIO) {
                return -1;
            }
            throw new IOException(path + ": lseek(SEEK_DATA) failed with errno " + e.getErrorCode(), e);
        } finally {
            lock.unlock();
        }
    }

    /** Where the next hole at or after {@code offset} starts; the end of the file counts as a hole. */
    long nextHole(long offset) throws IOException {
        Lock lock = openLock();
        try {
            return LIBC.lseek(fd, offset, SEEK_HOLE);
        } catch (LastErrorException e) {
            throw new IOException(path + ": lseek(SEEK_HOLE) failed with errno " + e.getErrorCode(), e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reads from the page cache only ({@code preadv2} with RWF_NOWAIT): never waits for the disk, so it
     * may run on a thread that must not block.
     *
     * @param address native address of at least {@code length} writable bytes
     * @return bytes read (possibly fewer than asked, 0 at end of file), or -1 when the data is not all
     *         cached, the call is unsupported or the descriptor is closed: the caller then reads normally
     */
    long readCached(long address, int length, long offset) {
        if (!nowaitWorks || !DIRECT_CALLS_BOUND) {
            return -1;
        }
        Lock lock = closing.readLock();
        lock.lock();
        try {
            if (closed) {
                return -1;
            }
            Scratch iov = SCRATCH.get();
            iov.buffer.putLong(0, address).putLong(8, length);
            return DirectCalls.preadv2(fd, iov.address, 1, offset, RWF_NOWAIT);
        } catch (LastErrorException e) {
            if (e.getErrorCode() != EAGAIN) {
                nowaitWorks = false; // EOPNOTSUPP, ENOSYS, EINVAL: not available here; do not try again
                LOG.info("{}: preadv2(RWF_NOWAIT) unavailable (errno {}): every read goes through the store executor",
                        path, e.getErrorCode());
            }
            return -1;
        } catch (UnsatisfiedLinkError e) {
            nowaitWorks = false; // libc without preadv2
            return -1;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether every page of [offset, offset + length) is in the page cache now ({@code cachestat(2)},
     * Linux 6.5; one syscall, nothing copied). False when unknown: the call is unavailable (then never
     * tried again), or the descriptor is closed.
     */
    boolean isCached(long offset, long length) {
        if (!cachestatWorks || !DIRECT_CALLS_BOUND || length <= 0) {
            return false;
        }
        Lock lock = closing.readLock();
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            Scratch s = SCRATCH.get();
            s.buffer.putLong(0, offset).putLong(8, length);
            DirectCalls.syscall(SYS_CACHESTAT, fd, s.address, s.address + Scratch.CACHESTAT, 0);
            long cachedPages = s.buffer.getLong(Scratch.CACHESTAT); // nr_cache, the struct's first field
            return cachedPages >= (offset + length - 1) / PAGE_SIZE - offset / PAGE_SIZE + 1;
        } catch (LastErrorException e) {
            cachestatWorks = false; // ENOSYS before 6.5, EPERM under seccomp: use the copying path
            LOG.info("{}: cachestat unavailable (errno {}): large reads are copied, not sent from the file",
                    path, e.getErrorCode());
            return false;
        } catch (UnsatisfiedLinkError e) {
            cachestatWorks = false;
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes {@code length} bytes of {@code data} from index {@code from} at {@code offset} again, through
     * this descriptor, and returns the errno the kernel answers now (0 when the write succeeds). For
     * classifying a write that just failed through the FileChannel: the same bytes to the same place
     * under the same range lock, so repeating it changes nothing but tells ENOSPC, EDQUOT and EROFS apart
     * without reading the exception's localised text. Never throws.
     */
    int writeErrno(long offset, ByteBuf data, int from, int length) {
        Lock lock = closing.readLock();
        lock.lock();
        try {
            if (closed) {
                return 0;
            }
            byte[] chunk = new byte[Math.min(PROBE_CHUNK, length)];
            long done = 0;
            while (done < length) {
                int n = (int) Math.min(chunk.length, length - done);
                data.getBytes(from + (int) done, chunk, 0, n);
                long written = LIBC.pwrite(fd, chunk, n, offset + done);
                if (written <= 0) {
                    return 0;
                }
                done += written;
            }
            return 0;
        } catch (LastErrorException e) {
            return e.getErrorCode();
        } catch (RuntimeException | LinkageError e) {
            return 0;
        } finally {
            lock.unlock();
        }
    }

    /**
     * What the file system says now, for classifying a failed write or flush that has no data to repeat
     * ({@code fstatvfs}): EROFS when it is read-only, ENOSPC when it has no free block left, else 0.
     * Never throws.
     */
    int fileSystemErrno() {
        Lock lock = closing.readLock();
        lock.lock();
        try {
            if (closed) {
                return 0;
            }
            byte[] st = new byte[STATVFS_SIZE];
            LIBC.fstatvfs(fd, st);
            ByteBuffer b = ByteBuffer.wrap(st).order(ByteOrder.nativeOrder());
            if ((b.getLong(STATVFS_FLAG) & ST_RDONLY) != 0) {
                return EROFS;
            }
            // f_bfree, not f_bavail: a target running as root may still write into the reserved blocks
            return b.getLong(STATVFS_BFREE) == 0 ? ENOSPC : 0;
        } catch (LastErrorException | LinkageError e) {
            return 0;
        } finally {
            lock.unlock();
        }
    }

    /** Takes the shared lock, failing when the descriptor is closed; the caller unlocks. */
    private Lock openLock() {
        Lock lock = closing.readLock();
        lock.lock();
        if (closed) {
            lock.unlock();
            throw new IllegalStateException(path + ": descriptor already closed");
        }
        return lock;
    }

    @Override
    public void close() {
        closing.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            LIBC.close(fd);
        } catch (LastErrorException e) {
            LOG.warn("{}: close(2) failed with errno {}", path, e.getErrorCode());
        } finally {
            closing.writeLock().unlock();
        }
    }
}
