package org.vaaitarget.core.store.rbd;

import com.sun.jna.CallbackThreadInitializer;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.vaaitarget.core.store.AllocationExtent;
import org.vaaitarget.core.store.BlockStore;
import org.vaaitarget.core.store.CompareOutcome;
import org.vaaitarget.core.store.StoreCapabilities;
import org.vaaitarget.core.store.StoreException;
import org.vaaitarget.core.store.StoreException.Kind;

/**
 * A {@link BlockStore} on a Ceph RBD image through librbd's asynchronous calls ({@code rbd_aio_read},
 * {@code _write}, {@code _discard}, {@code _flush}, {@code _compare_and_write}).
 *
 * <p>Threads: a command's thread (possibly a Netty event loop) only submits: librbd queues the request and
 * returns. librbd calls the completion callback on one of its own threads; the callback only takes the
 * return value, releases the completion and hands the result to this store's one completion thread, which
 * completes the future (whatever the future's dependants do runs there, never on librbd's thread, which
 * must stay free for the next completions). {@link #allocationAt}, which walks the image synchronously
 * ({@code rbd_diff_iterate2}), runs on that thread too.
 *
 * <p>Durability: every client runs with {@code rbd_cache=false}, so a write completes only when the OSDs have
 * it on stable storage: no volatile cache (WCE=0), FUA needs nothing more, and flush is a cheap no-op.
 *
 * <p>Block size 512; COMPARE AND WRITE of one block only: Pacific's compare-and-write refuses ranges
 * crossing a 512-byte sector. librbd clips requests past the end of the image silently, so every range is
 * checked here first.
 */
public final class RbdBlockStore implements BlockStore {
    static final int BLOCK_SIZE = 512;
    private static final int QUEUE = 4096;
    /** GET LBA STATUS looks this far ahead of the requested LBA for the end of its run (one diff walk). */
    private static final long ALLOCATION_WINDOW_BYTES = 1L << 30;

    /** One callback object for every completion of every store (JNA keeps it and its native trampoline). */
    private static final RbdNative.CompletionCallback CALLBACK = RbdBlockStore::completed;
    private static final Map<Long, Pending> PENDING = new ConcurrentHashMap<>();
    private static final AtomicLong IDS = new AtomicLong(1);
    /** The out-parameter of rbd_aio_create_completion, read right after the call on the same thread. */
    private static final ThreadLocal<Memory> COMPLETION_OUT = ThreadLocal.withInitial(() -> new Memory(8));

    static {
        // librbd's threads call back into the JVM: attach them once, as daemons, instead of per callback.
        Native.setCallbackThreadInitializer(CALLBACK, new CallbackThreadInitializer(true, false, "librbd-completion"));
    }

    /** The open image; replaced when a fenced gateway reconnects with a new client ({@link #reconnected}). */
    private volatile RbdImage image;
    private final long blockCount;
    private final ByteBufAllocator allocator;
    private final ThreadPoolExecutor completions;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final List<AutoCloseable> closeFirst = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Exclusive ownership (YAML rbd.ownership: exclusive): writes only as the owner; null when shared. */
    private volatile RbdOwnership ownership;

    /** A submitted request: the image it went to, and what to do with librbd's return value, on the completion thread. */
    private record Pending(RbdBlockStore store, RbdImage image, String what, LongFunction<Runnable> onResult) {
    }

    RbdBlockStore(RbdImage image, ByteBufAllocator allocator) {
        this.image = image;
        this.blockCount = image.sizeBytes() / BLOCK_SIZE;
        this.allocator = allocator;
        AtomicInteger n = new AtomicInteger();
        this.completions = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "store-rbd-" + image.location().image() + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.completions.allowCoreThreadTimeOut(true);
    }

    /** Opens the store on an already open image (the store closes it). */
    static RbdBlockStore on(RbdImage image) {
        return new RbdBlockStore(image, PooledByteBufAllocator.DEFAULT);
    }

    RbdImage image() {
        return image;
    }

    /**
     * A fenced gateway reconnected: from now on every request goes to {@code fresh} (a new cluster client, not
     * blocklisted). Returns the old image, which the caller closes (close waits for calls still entering it), or null
     * when the store is closing.
     */
    synchronized RbdImage reconnected(RbdImage fresh) {
        if (closed.get()) {
            return null; // closing: the caller closes fresh instead
        }
        RbdImage old = image;
        image = fresh;
        return old;
    }

    /** From now on, writes need {@code owner}ship of the image (taken over on the first write that lacks it). */
    void requireOwnership(RbdOwnership owner) {
        this.ownership = owner;
    }

    @Override
    public int blockSize() {
        return BLOCK_SIZE;
    }

    @Override
    public long blockCount() {
        return blockCount;
    }

    @Override
    public StoreCapabilities capabilities() {
        // no volatile cache (rbd_cache=false); discard frees whole objects and zeroes the rest
        // (rbd_skip_partial_discard=false), so unmapped blocks read as zeros; images are thin.
        return new StoreCapabilities(false, true, true, true);
    }

    @Override
    public CompletableFuture<ByteBuf> read(long lba, int blocks) {
        StoreException bad = check(lba, blocks);
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        int length = blocks * BLOCK_SIZE;
        ByteBuf buf = allocator.directBuffer(length, length);
        if (!buf.hasMemoryAddress()) {
            buf.release();
            return readIntoMemory(lba, length);
        }
        CompletableFuture<ByteBuf> future = new CompletableFuture<>();
        long address = buf.memoryAddress() + buf.writerIndex();
        submit(future, Kind.IO_READ, "read", (img, c) -> RbdNative.rbd_aio_read(img, lba * BLOCK_SIZE, length, address, c),
                rv -> {
                    if (rv < 0) {
                        buf.release();
                        return () -> future.completeExceptionally(failure(Kind.IO_READ, "read", rv));
                    }
                    buf.writerIndex(length);
                    return () -> future.complete(buf);
                }, buf::release);
        return future;
    }

    /** Where Netty has no raw addresses (no Unsafe): read into native memory, then copy. */
    private CompletableFuture<ByteBuf> readIntoMemory(long lba, int length) {
        Memory memory = new Memory(length);
        CompletableFuture<ByteBuf> future = new CompletableFuture<>();
        submit(future, Kind.IO_READ, "read",
                (img, c) -> RbdNative.rbd_aio_read(img, lba * BLOCK_SIZE, length, Pointer.nativeValue(memory), c),
                rv -> () -> {
                    if (rv < 0) {
                        future.completeExceptionally(failure(Kind.IO_READ, "read", rv));
                        return;
                    }
                    ByteBuf buf = allocator.buffer(length, length);
                    buf.writeBytes(memory.getByteBuffer(0, length));
                    future.complete(buf);
                }, () -> { });
        return future;
    }

    @Override
    public CompletableFuture<Void> write(long lba, ByteBuf data, boolean fua) {
        int length = data.readableBytes();
        StoreException bad = length % BLOCK_SIZE != 0
                ? new StoreException(Kind.IO_WRITE, "write of " + length + " bytes is not a whole number of blocks")
                : check(lba, length / BLOCK_SIZE);
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        NativeBytes bytes = NativeBytes.of(data, allocator);
        CompletableFuture<Void> future = new CompletableFuture<>();
        submitOwned(future, Kind.IO_WRITE, "write",
                (img, c) -> RbdNative.rbd_aio_write(img, lba * BLOCK_SIZE, length, bytes.address(), c),
                rv -> {
                    bytes.release();
                    return rv < 0 ? () -> future.completeExceptionally(failure(Kind.IO_WRITE, "write", rv))
                            : () -> future.complete(null);
                }, bytes::release);
        return future;
    }

    /**
     * One {@code rbd_aio_compare_and_write}: the OSD compares and writes in one operation, so it is atomic
     * against every other client of the image, on every gateway. On a mismatch the sector is read back for
     * the forensics record (it may have changed again since: the reported offset is the one librbd found).
     */
    @Override
    public CompletableFuture<CompareOutcome> compareAndWrite(long lba, ByteBuf verify, ByteBuf write, boolean fua) {
        int length = verify.readableBytes();
        if (length != BLOCK_SIZE || write.readableBytes() != length) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("RBD compare and write takes one "
                    + BLOCK_SIZE + "-byte block (librbd compares within one sector), not " + length + " and "
                    + write.readableBytes() + " bytes"));
        }
        StoreException bad = check(lba, 1);
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        NativeBytes cmp = NativeBytes.of(verify, allocator);
        NativeBytes data = NativeBytes.of(write, allocator);
        Memory mismatch = new Memory(8);
        mismatch.setLong(0, 0);
        Runnable release = () -> {
            cmp.release();
            data.release();
        };
        CompletableFuture<CompareOutcome> future = new CompletableFuture<>();
        submitOwned(future, Kind.IO_WRITE, "compare and write",
                (img, c) -> (int) RbdNative.rbd_aio_compare_and_write(img, lba * BLOCK_SIZE, length, cmp.address(),
                        data.address(), c, Pointer.nativeValue(mismatch), 0),
                rv -> {
                    release.run();
                    if (rv == -Errno.EILSEQ) {
                        int offset = (int) Long.remainderUnsigned(mismatch.getLong(0), BLOCK_SIZE);
                        return () -> read(lba, 1).whenComplete((found, e) -> {
                            if (e != null) {
                                future.completeExceptionally(e);
                            } else {
                                future.complete(CompareOutcome.miscompare(offset, found));
                            }
                        });
                    }
                    return rv < 0 ? () -> future.completeExceptionally(failure(Kind.IO_WRITE, "compare and write", rv))
                            : () -> future.complete(CompareOutcome.MATCHED);
                }, release);
        return future;
    }

    @Override
    public CompletableFuture<Void> flush() {
        return simple("flush", (img, c) -> RbdNative.rbd_aio_flush(img, c));
    }

    @Override
    public CompletableFuture<Void> unmap(long lba, long blocks) {
        StoreException bad = check(lba, blocks);
        return bad != null ? CompletableFuture.failedFuture(bad) : owned("discard",
                (img, c) -> RbdNative.rbd_aio_discard(img, lba * BLOCK_SIZE, blocks * BLOCK_SIZE, c));
    }

    @Override
    public boolean zeroesWithoutData() {
        return true;
    }

    /**
     * Zeroes the range with one {@code rbd_aio_write_zeroes} (no data travels: whole objects are freed, the rest
     * zeroed in place); durable on completion like every write here.
     */
    @Override
    public CompletableFuture<Void> writeZeroes(long lba, long blocks) {
        StoreException bad = check(lba, blocks);
        return bad != null ? CompletableFuture.failedFuture(bad) : owned("write zeroes",
                (img, c) -> RbdNative.rbd_aio_write_zeroes(img, lba * BLOCK_SIZE, blocks * BLOCK_SIZE, c, 0, 0));
    }

    /** A request without data buffers whose future completes empty (flush: needs no ownership). */
    private CompletableFuture<Void> simple(String what, Submit call) {
        return bufferless(what, call, false);
    }

    /** {@link #simple} for a change of the medium (needs ownership when exclusive). */
    private CompletableFuture<Void> owned(String what, Submit call) {
        return bufferless(what, call, true);
    }

    private CompletableFuture<Void> bufferless(String what, Submit call, boolean changesMedium) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        LongFunction<Runnable> onResult = rv -> rv < 0
                ? () -> future.completeExceptionally(failure(Kind.IO_WRITE, what, rv)) : () -> future.complete(null);
        if (changesMedium) {
            submitOwned(future, Kind.IO_WRITE, what, call, onResult, () -> { });
        } else {
            submit(future, Kind.IO_WRITE, what, call, onResult, () -> { });
        }
        return future;
    }

    /**
     * {@link #submit} for a change of the medium: with exclusive ownership, only as the owner (taking the image over
     * first when this gateway is not; see {@link RbdOwnership}). Reads need no ownership.
     */
    private void submitOwned(CompletableFuture<?> future, Kind kind, String what, Submit call,
                             LongFunction<Runnable> onResult, Runnable releaseOnFailure) {
        RbdOwnership owner = ownership;
        if (owner == null || owner.state() == RbdOwnership.State.OWNER) {
            submit(future, kind, what, call, onResult, releaseOnFailure);
            return;
        }
        owner.acquire().whenComplete((v, e) -> {
            if (e != null) {
                releaseOnFailure.run();
                future.completeExceptionally(e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                        ? e.getCause() : e);
            } else {
                submit(future, kind, what, call, onResult, releaseOnFailure);
            }
        });
    }

    /**
     * From {@code rbd_diff_iterate2} over the image (no snapshot: the extents that hold data), looking at most
     * {@value #ALLOCATION_WINDOW_BYTES} bytes ahead; a run longer than that is reported in pieces, which GET LBA
     * STATUS allows (SBC-4 5.22: the initiator asks again from the next LBA). Without the object-map feature
     * librbd asks each object in the window; that is why the window is bounded.
     */
    @Override
    public CompletableFuture<AllocationExtent> allocationAt(long lba) {
        if (lba < 0 || lba >= blockCount) {
            return CompletableFuture.failedFuture(new StoreException(Kind.OUT_OF_RANGE,
                    "LBA " + lba + " is outside the " + blockCount + " blocks of the image"));
        }
        return offload(() -> walkAllocation(lba));
    }

    /** A synchronous librbd call (metadata, allocation walk) run on the completion thread, off the caller's. */
    <T> CompletableFuture<T> offload(java.util.concurrent.Callable<T> call) {
        CompletableFuture<T> future = new CompletableFuture<>();
        try {
            completions.execute(() -> {
                try {
                    future.complete(call.call());
                } catch (Exception e) {
                    future.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            future.completeExceptionally(new StoreException(Kind.BUSY, image.location() + ": too many requests queued"));
        }
        return future;
    }

    private AllocationExtent walkAllocation(long lba) {
        long start = lba * BLOCK_SIZE;
        long end = Math.min(blockCount * BLOCK_SIZE, start + ALLOCATION_WINDOW_BYTES);
        List<long[]> extents = new ArrayList<>(); // [offset, length] of data, ascending
        RbdNative.DiffCallback collect = (offset, length, exists, arg) -> {
            if (exists != 0) {
                extents.add(new long[] {offset, length});
            }
            return 0;
        };
        RbdImage img = image;
        if (!img.enter()) {
            throw unavailable();
        }
        int rc;
        try {
            rc = RbdNative.rbd_diff_iterate2(img.handle(), null, start, end - start, (byte) 1, (byte) 0, collect, null);
        } finally {
            img.exit();
        }
        if (rc == -Errno.EBLOCKLISTED) {
            blocklisted(img, "allocation walk");
        }
        if (rc < 0) {
            throw failure(Kind.IO_READ, "allocation walk", rc);
        }
        // coalesce adjacent extents, then find the run containing start
        boolean mapped = false;
        long runEnd = end;
        long cursor = start;
        for (long[] e : merge(extents)) {
            long eStart = Math.max(e[0], start);
            long eEnd = Math.min(e[0] + e[1], end);
            if (eEnd <= start) {
                continue;
            }
            if (eStart <= cursor) { // start lies inside this data extent
                mapped = true;
                runEnd = eEnd;
            } else {
                runEnd = eStart; // a hole from start up to this extent
            }
            break;
        }
        // a partial block at either edge counts as mapped (blocks are the unit): round the run to blocks
        long blocks = mapped ? (runEnd + BLOCK_SIZE - 1) / BLOCK_SIZE - lba : runEnd / BLOCK_SIZE - lba;
        if (blocks <= 0) {
            blocks = 1;
            mapped = true;
        }
        return new AllocationExtent(lba, blocks, mapped);
    }

    private static List<long[]> merge(List<long[]> extents) {
        extents.sort((a, b) -> Long.compare(a[0], b[0]));
        List<long[]> merged = new ArrayList<>();
        for (long[] e : extents) {
            long[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && e[0] <= last[0] + last[1]) {
                last[1] = Math.max(last[1], e[0] + e[1] - last[0]);
            } else {
                merged.add(new long[] {e[0], e[1]});
            }
        }
        return merged;
    }

    /** One {@code rbd_aio_*} call on the image handle {@code image}. */
    private interface Submit {
        int call(long image, Pointer completion);
    }

    /**
     * Creates a completion, registers what to do with its result and submits. {@code onResult} runs on librbd's
     * thread and must only release buffers and return the (light or heavy) completion work, which then runs on
     * this store's completion thread.
     */
    private void submit(CompletableFuture<?> future, Kind kind, String what, Submit call,
                        LongFunction<Runnable> onResult, Runnable releaseOnFailure) {
        if (closed.get()) {
            releaseOnFailure.run();
            future.completeExceptionally(new StoreException(Kind.CLOSED, image.location() + " is closed"));
            return;
        }
        RbdOwnership owner = ownership;
        if (owner != null && owner.state() == RbdOwnership.State.FENCED) {
            // fenced: everything fails at once, reads too, until the gateway has reconnected (see RbdOwnership)
            releaseOnFailure.run();
            future.completeExceptionally(owner.fencedError());
            return;
        }
        RbdImage img = image;
        if (!img.enter()) { // swapped meanwhile (a reconnect): this request belongs to the old connection
            releaseOnFailure.run();
            future.completeExceptionally(unavailable());
            return;
        }
        try {
            submitOn(img, future, kind, what, call, onResult, releaseOnFailure);
        } finally {
            img.exit();
        }
    }

    private void submitOn(RbdImage img, CompletableFuture<?> future, Kind kind, String what, Submit call,
                          LongFunction<Runnable> onResult, Runnable releaseOnFailure) {
        long id = IDS.getAndIncrement();
        Pointer arg = new Pointer(id);
        Memory out = COMPLETION_OUT.get();
        int rc = RbdNative.rbd_aio_create_completion(arg, CALLBACK, Pointer.nativeValue(out));
        if (rc < 0) {
            releaseOnFailure.run();
            future.completeExceptionally(failure(kind, what, rc));
            return;
        }
        Pointer completion = out.getPointer(0);
        PENDING.put(id, new Pending(this, img, what, onResult));
        inFlight.incrementAndGet();
        rc = call.call(img.handle(), completion);
        if (rc < 0) { // not queued: librbd will not call back
            PENDING.remove(id);
            inFlight.decrementAndGet();
            RbdNative.rbd_aio_release(completion);
            releaseOnFailure.run();
            future.completeExceptionally(failure(kind, what, rc));
        }
    }

    /** On a librbd thread: take the result, free the completion, hand the rest over. */
    private static void completed(Pointer completion, Pointer arg) {
        long rv = RbdNative.rbd_aio_get_return_value(completion);
        RbdNative.rbd_aio_release(completion);
        Pending pending = PENDING.remove(Pointer.nativeValue(arg));
        if (pending == null) {
            return;
        }
        RbdBlockStore store = pending.store();
        store.inFlight.decrementAndGet();
        if (rv == -Errno.EBLOCKLISTED) {
            store.blocklisted(pending.image(), pending.what());
        }
        Runnable work = pending.onResult().apply(rv);
        try {
            store.completions.execute(work);
        } catch (RejectedExecutionException e) {
            work.run(); // never drop a completion: the queue is only full under a flood, and this is rare
        }
    }

    private StoreException check(long lba, long blocks) {
        if (lba < 0 || blocks < 0 || lba > blockCount || blocks > blockCount - lba) {
            return new StoreException(Kind.OUT_OF_RANGE, "blocks " + lba + "+" + blocks + " are outside the "
                    + blockCount + " blocks of " + image.location());
        }
        return null;
    }

    private StoreException failure(Kind kind, String what, long rv) {
        int errno = (int) -rv;
        RbdOwnership owner = ownership;
        if (errno == Errno.EBLOCKLISTED && owner != null) {
            return owner.fencedError();
        }
        Kind k = errno == Errno.ENOSPC || errno == Errno.EDQUOT ? Kind.NO_SPACE : kind;
        return new StoreException(k, image.location() + ": " + what + " failed: " + Errno.describe(errno));
    }

    /**
     * librbd (or librados) refused a request on {@code img} because that client is blocklisted: another gateway took
     * the image over. Only the current connection's refusals count: a late one from before a reconnect does not.
     */
    void blocklisted(RbdImage img, String what) {
        RbdOwnership owner = ownership;
        if (owner != null && img == image) {
            owner.fenced(what + " refused, this client (client." + img.instanceId() + ") is blocklisted");
        }
    }

    /** What a request gets when it meets a connection being replaced. */
    private StoreException unavailable() {
        RbdOwnership owner = ownership;
        return owner != null ? owner.fencedError()
                : new StoreException(Kind.UNAVAILABLE, image.location() + ": the cluster connection is being replaced");
    }

    /** Requests submitted and not yet completed. */
    int inFlight() {
        return inFlight.get();
    }

    boolean isClosed() {
        return closed.get();
    }

    /** Closes {@code c} (a watch on the image's objects) before the image when the store closes. */
    void closeFirst(AutoCloseable c) {
        closeFirst.add(c);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (AutoCloseable c : closeFirst) {
            try {
                c.close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(RbdBlockStore.class).warn("{}: closing {} failed", this, c, e);
            }
        }
        // rbd_close waits for in-flight requests; their callbacks still run and complete their futures
        RbdImage last;
        synchronized (this) { // after a reconnect that finished: its image; one that did not gets null (above)
            last = image;
        }
        last.close();
        completions.shutdown();
    }

    @Override
    public String toString() {
        return "RBD " + image.location();
    }
}
