package org.vaaitarget.core.store.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.core.config.LunConfig.WriteCacheMode;

/**
 * A layer under a file store ({@link FileBlockStore#open(org.vaaitarget.core.config.LunConfig, UnaryOperator)})
 * that records which threads do the file I/O, so that a test can count thread hand-offs without timing: every
 * write first waits for {@link #gate} (a test releases it once the commands it races are queued), then is
 * recorded in {@link #writers}; hole punches go to {@link #deallocators}, syncs to {@link #syncers}.
 */
final class ThreadRecordingMedium implements UnaryOperator<MediumIo>, AutoCloseable {
    final CountDownLatch gate = new CountDownLatch(1);
    final List<Thread> writers = Collections.synchronizedList(new ArrayList<>());
    final List<Thread> deallocators = Collections.synchronizedList(new ArrayList<>());
    final List<Thread> syncers = Collections.synchronizedList(new ArrayList<>());
    /** Runs in every sync, after it was recorded and before the real one (a test's rendezvous). */
    volatile GroupCommit.Sync beforeSync = () -> { };

    /** Writes wait for nothing. */
    ThreadRecordingMedium open() {
        gate.countDown();
        return this;
    }

    private FileBlockStore store;

    /** A file store of {@code bytes} over this layer, closed by {@link #close}. */
    FileBlockStore openStore(Path file, long bytes, int blockSize, WriteCacheMode mode) throws IOException {
        store = FileBlockStore.open(new LunConfig(file, bytes, blockSize, mode, null), this);
        return store;
    }

    /** Releases the writes still held at the gate, then closes the store {@link #openStore} opened. */
    @Override
    public void close() {
        gate.countDown();
        if (store != null) {
            store.close();
        }
    }

    @Override
    public MediumIo apply(MediumIo real) {
        return new MediumIo() {
            @Override
            public void write(ByteBuffer src, long position) throws IOException {
                try {
                    gate.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                writers.add(Thread.currentThread());
                real.write(src, position);
            }

            @Override
            public void deallocate(long offset, long length) throws IOException {
                deallocators.add(Thread.currentThread());
                real.deallocate(offset, length);
            }

            @Override
            public void sync() throws IOException {
                syncers.add(Thread.currentThread());
                beforeSync.sync();
                real.sync();
            }
        };
    }
}
