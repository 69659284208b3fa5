package org.vaaitarget.core.sbc.sanitize;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.core.lu.lock.LockMode;
import org.vaaitarget.core.lu.lock.RangeLock;
import org.vaaitarget.core.lu.lock.RangeLockManager;
import org.vaaitarget.core.store.BlockStore;
import org.vaaitarget.core.util.AtomicFiles;

/**
 * The sanitize state of one logical unit (SBC-4 4.11): idle, a sanitize in progress (with its progress
 * for the sense data), or failure mode.
 *
 * <p><b>Running.</b> {@link #start} switches to IN PROGRESS at once (from then on the dispatcher answers
 * NOT READY, SANITIZE IN PROGRESS) and queues an EXCLUSIVE range lock on the whole LU, so the operation
 * begins when the medium commands already admitted have finished. The work runs on its own thread:
 * OVERWRITE writes the pattern over every block, pass after pass (at most {@code bytesPerSecond} when
 * set, so that a sanitize does not take the whole disk from other LUNs), forcing each pass to the medium;
 * BLOCK ERASE deallocates every block (they then read zeros, LBPRZ).
 *
 * <p><b>Power loss.</b> Before the first block changes, the operation is written to a marker file beside
 * the LUN file ({@code <file>.sanitize}: temporary file, fsync, rename, directory fsync); it is removed the
 * same durable way once the result is on the medium. A LUN opened with a marker resumes that sanitize
 * from its start (SBC-4 4.11.3: an interrupted sanitize operation resumes after power on); a marker that
 * records a failure, or that cannot be read, opens the LUN in failure mode. Closing the LU during a
 * sanitize stops it and keeps the marker, like a power loss.
 *
 * <p><b>Failure.</b> An I/O error ends the operation in failure mode (SANITIZE COMMAND FAILED for medium
 * access); a new SANITIZE, or EXIT FAILURE MODE when the failed one had AUSE=1, leaves it.
 */
public final class Sanitizer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Sanitizer.class);
    private static final int CHUNK = 1 << 20;
    /** PROGRESS INDICATION denominator (SPC-5 4.4.5.4). */
    public static final int PROGRESS_UNIT = 65536;

    /** The states of SBC-4 4.11. */
    public enum State {
        IDLE, IN_PROGRESS, FAILED
    }

    private final BlockStore store;
    private final RangeLockManager locks;
    private final boolean allowed;
    private final Path marker;
    private final long bytesPerSecond;
    private volatile State state = State.IDLE;
    private volatile boolean failedWithAuse;
    /** Blocks written so far, over all passes, and the total (for the progress indication). */
    private volatile long doneBlocks;
    private volatile long totalBlocks = 1;
    private volatile boolean closing;
    private Thread worker;

    public Sanitizer(BlockStore store, RangeLockManager locks, SanitizeSettings settings) {
        this.store = store;
        this.locks = locks;
        this.allowed = settings.allowed();
        this.marker = settings.marker();
        this.bytesPerSecond = settings.bytesPerSecond();
    }

    /** The marker file beside a LUN file. */
    public static Path markerBeside(Path lunFile) {
        return lunFile.resolveSibling(lunFile.getFileName() + ".sanitize");
    }

    public boolean allowed() {
        return allowed;
    }

    public State state() {
        return state;
    }

    public boolean inProgress() {
        return state == State.IN_PROGRESS;
    }

    /** In failure mode after an operation that had AUSE=1: EXIT FAILURE MODE may end it. */
    public boolean failedWithAuse() {
        return state == State.FAILED && failedWithAuse;
    }

    /** PROGRESS INDICATION: the fraction done, in 65536ths. */
    public int progress() {
        long total = Math.max(1, totalBlocks);
        return (int) Math.min(PROGRESS_UNIT - 1, doneBlocks * PROGRESS_UNIT / total);
    }

    /**
     * At open: resumes the sanitize a marker file records, or enters failure mode when it recorded one (or
     * cannot be read). Returns at once; the sanitize runs in the background.
     */
    public void resumeIfInterrupted() {
        if (marker == null || !Files.exists(marker)) {
            return;
        }
        SanitizeOperation.Marker m;
        try {
            m = SanitizeOperation.decode(Files.readString(marker, StandardCharsets.US_ASCII));
        } catch (IOException | IllegalArgumentException e) {
            LOG.error("{}: cannot read the sanitize marker ({}); the LUN stays in sanitize failure mode until a"
                    + " new SANITIZE", marker, e.toString());
            failedWithAuse = false;
            state = State.FAILED;
            return;
        }
        if (m.failed()) {
            LOG.warn("{}: the last sanitize failed; the LUN is in sanitize failure mode", marker);
            failedWithAuse = m.operation().ause();
            state = State.FAILED;
            return;
        }
        LOG.warn("{}: a sanitize ({}) was interrupted; resuming it from the start", marker, m.operation().action());
        start(m.operation());
    }

    /**
     * Starts a sanitize: IN PROGRESS from now on. The returned future completes, once the EXCLUSIVE lock on
     * every block has been granted and the marker file is on disk, with the future of the operation's end
     * (true: done, false: failed).
     * Callers serialize this with the dispatcher's NOT READY gate (a second start while one runs is refused).
     *
     * @throws IllegalStateException when a sanitize is already in progress
     */
    public synchronized CompletableFuture<CompletableFuture<Boolean>> start(SanitizeOperation op) {
        if (state == State.IN_PROGRESS) {
            throw new IllegalStateException("a sanitize is already in progress");
        }
        state = State.IN_PROGRESS;
        doneBlocks = 0;
        totalBlocks = Math.max(1, op.action() == SanitizeOperation.Action.OVERWRITE
                ? store.blockCount() * op.passes() : store.blockCount());
        CompletableFuture<RangeLock> lock = locks.acquire(0, store.blockCount(), LockMode.EXCLUSIVE);
        CompletableFuture<Boolean> end = new CompletableFuture<>();
        CompletableFuture<CompletableFuture<Boolean>> started = new CompletableFuture<>();
        worker = new Thread(() -> run(op, lock, started, end), "sanitize-" + (marker == null ? "lu" : marker.getFileName()));
        worker.setDaemon(true);
        worker.start();
        return started;
    }

    /** Leaves failure mode (EXIT FAILURE MODE; SBC-4 5.30.3): the blocks' contents are unspecified. */
    public synchronized void exitFailureMode() throws IOException {
        if (state != State.FAILED) {
            return;
        }
        if (marker != null) {
            AtomicFiles.delete(marker);
        }
        state = State.IDLE;
    }

    private void run(SanitizeOperation op, CompletableFuture<RangeLock> lockFuture,
                     CompletableFuture<CompletableFuture<Boolean>> started, CompletableFuture<Boolean> end) {
        RangeLock lock = null;
        boolean ok = false;
        try {
            lock = lockFuture.join();
            if (marker != null) {
                AtomicFiles.replace(marker, op.encode(false).getBytes(StandardCharsets.US_ASCII));
            }
            started.complete(end);
            if (op.action() == SanitizeOperation.Action.BLOCK_ERASE) {
                store.unmap(0, store.blockCount()).join();
                doneBlocks = store.blockCount();
            } else {
                overwrite(op);
            }
            if (closing) {
                return;              // stopped by close: the marker stays, the next open resumes
            }
            store.flush().join();
            if (marker != null) {
                AtomicFiles.delete(marker);
            }
            ok = true;
            LOG.info("sanitize {} of {} blocks done", op.action(), store.blockCount());
        } catch (RuntimeException | IOException e) {
            if (closing) {
                return;
            }
            LOG.error("sanitize {} failed: {}; the LUN is in sanitize failure mode", op.action(), e.toString());
            if (marker != null) {
                try {
                    AtomicFiles.replace(marker, op.encode(true).getBytes(StandardCharsets.US_ASCII));
                } catch (IOException again) {
                    LOG.error("{}: cannot record the sanitize failure: {}", marker, again.toString());
                }
            }
        } finally {
            synchronized (this) {
                if (closing) {
                    state = State.IDLE;
                } else if (ok) {
                    state = State.IDLE;
                } else {
                    failedWithAuse = op.ause();
                    state = State.FAILED;
                }
            }
            started.complete(end);      // no-op when the lock was granted
            end.complete(ok);           // before the lock is released: whoever waits for it sees the outcome
            if (lock != null) {
                lock.close();
            }
        }
    }

    private void overwrite(SanitizeOperation op) throws IOException {
        int bs = store.blockSize();
        long blocks = store.blockCount();
        int chunkBlocks = (int) Math.min(blocks, CHUNK / bs);
        long startNanos = System.nanoTime();
        long written = 0;
        for (int pass = 0; pass < op.passes(); pass++) {
            ByteBuf chunk = Unpooled.directBuffer(chunkBlocks * bs);
            try {
                byte[] pattern = op.patternOfPass(pass);
                // SBC-4 5.30.2.2: the pattern is repeated to fill each logical block.
                byte[] block = new byte[bs];
                for (int i = 0; i < bs; i++) {
                    block[i] = pattern[i % pattern.length];
                }
                for (int i = 0; i < chunkBlocks; i++) {
                    chunk.writeBytes(block);
                }
                for (long lba = 0; lba < blocks && !closing; lba += chunkBlocks) {
                    int n = (int) Math.min(chunkBlocks, blocks - lba);
                    store.write(lba, chunk.slice(0, n * bs), false).join();
                    written += (long) n * bs;
                    doneBlocks += n;
                    pace(startNanos, written);
                }
            } finally {
                chunk.release();
            }
            if (closing) {
                return;
            }
            store.flush().join();       // each pass on the medium before the next one
        }
    }

    /** Sleeps until {@code written} bytes are no faster than the rate limit. */
    private void pace(long startNanos, long written) {
        if (bytesPerSecond <= 0) {
            return;
        }
        long dueNanos = startNanos + (long) (written * 1e9 / bytesPerSecond);
        // In short naps, so that close() stops a slow sanitize at once.
        for (long wait = dueNanos - System.nanoTime(); wait > 0 && !closing; wait = dueNanos - System.nanoTime()) {
            try {
                TimeUnit.NANOSECONDS.sleep(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(20)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops a running sanitize (its marker stays, so the next open resumes it) and waits for its thread. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            closing = true;
            t = worker;
        }
        if (t != null) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
