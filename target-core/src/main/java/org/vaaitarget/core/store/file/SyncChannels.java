package org.vaaitarget.core.store.file;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Descriptors of the LUN's file used only for the group commit's fdatasyncs, one per sync that may run at once.
 *
 * <p>Why not the store's channel: Linux reports a writeback error (EIO on a page written earlier) once per open
 * file description (errseq, since 4.13): of two fsyncs on one descriptor, only the first to look is told, and
 * the other returns success although pages of its batch were lost. With one descriptor per concurrent sync,
 * every sync is told of every error since its descriptor's previous sync, so none answers GOOD for lost
 * writes. For the same reason they are not shared with the other forces on the file (growing it, the
 * atomic-write journal), which would otherwise take an error away from the group commit.
 *
 * <p>They are opened right after the store's channel, by the same path (as {@link LinuxFileOps} opens its own).
 */
final class SyncChannels implements Closeable {
    private final BlockingQueue<FileChannel> free;
    private final List<FileChannel> all;
    private final FileChannel fallback;

    private SyncChannels(List<FileChannel> all, FileChannel fallback) {
        this.all = all;
        this.free = new ArrayBlockingQueue<>(Math.max(1, all.size()), false, all);
        this.fallback = fallback;
    }

    /**
     * Opens {@code count} descriptors for writing ({@code count} 0: none, every sync uses {@code fallback}).
     *
     * @param fallback the store's channel: syncs on it when more run at once than there are descriptors
     *                 (never by the group commit, which runs at most {@code count})
     */
    static SyncChannels open(Path path, int count, FileChannel fallback) throws IOException {
        List<FileChannel> opened = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                opened.add(FileChannel.open(path, StandardOpenOption.WRITE));
            }
        } catch (IOException e) {
            for (FileChannel c : opened) {
                c.close();
            }
            throw new IOException(path + ": cannot open a descriptor for the group commit's syncs: " + e, e);
        }
        return new SyncChannels(List.copyOf(opened), fallback);
    }

    /** Opens nothing: every sync on {@code channel} (a read-only LUN, which has nothing to sync). */
    static SyncChannels none(FileChannel channel) {
        return new SyncChannels(List.of(), channel);
    }

    /** fdatasync (FileChannel.force(false)) on a descriptor no other sync uses meanwhile. */
    void sync() throws IOException {
        FileChannel own = borrow();
        try {
            own.force(false);
        } finally {
            giveBack(own);
        }
    }

    /** A descriptor no other borrower holds, else (more borrowers than descriptors) the fallback. */
    FileChannel borrow() {
        FileChannel own = free.poll();
        return own != null ? own : fallback;
    }

    void giveBack(FileChannel channel) {
        if (channel != fallback) {
            free.add(channel);
        }
    }

    /** How many descriptors of their own the syncs have. */
    int size() {
        return all.size();
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (FileChannel c : all) {
            try {
                c.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
