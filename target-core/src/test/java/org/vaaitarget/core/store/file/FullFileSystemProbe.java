package org.vaaitarget.core.store.file;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.core.config.LunConfig.WriteCacheMode;
import org.vaaitarget.core.store.StoreException;

/**
 * Run in a JVM of its own by {@link RealFileSystemErrorsTest} (in the locale that test chooses): fills
 * a LUN file on a small file system until a write fails, then makes the file system read-only (ext4's
 * trigger_fs_error with errors=remount-ro) and writes again. Prints one {@code KEY=value} line per finding.
 *
 * <p>Arguments: the LUN file, its size in bytes, and the sysfs trigger_fs_error file (or {@code -}).
 */
public final class FullFileSystemProbe {
    private static final int CHUNK = 256 << 10;

    private FullFileSystemProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        long size = Long.parseLong(args[1]);
        FileBlockStore store = FileBlockStore.open(new LunConfig(file, size, 512, WriteCacheMode.WRITE_BACK, null));
        ByteBuf data = Unpooled.directBuffer(CHUNK).writeZero(CHUNK);
        for (int i = 0; i < CHUNK; i += 512) {
            data.setByte(i, 0x5A);                          // not all zeros: blocks must be allocated
        }
        try {
            report("FULL", firstFailure(store, data, size));
            if (!"-".equals(args[2])) {
                Files.writeString(Path.of(args[2]), "vaai-target test: make the file system read-only");
                report("READ_ONLY", firstFailure(store, data, CHUNK));
            }
        } finally {
            data.release();
            store.close();
        }
    }

    /** Writes chunk after chunk from LBA 0 up to {@code limit} bytes; the first failure, or null. */
    private static Throwable firstFailure(FileBlockStore store, ByteBuf data, long limit) throws Exception {
        for (long offset = 0; offset + CHUNK <= limit; offset += CHUNK) {
            try {
                store.write(offset / 512, data, false).get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                return e.getCause() instanceof CompletionException c && c.getCause() != null ? c.getCause() : e.getCause();
            }
        }
        return null;
    }

    private static void report(String key, Throwable failure) {
        if (failure == null) {
            System.out.println(key + "_KIND=none");
            return;
        }
        System.out.println(key + "_KIND=" + (failure instanceof StoreException se ? se.kind() : failure.getClass().getName()));
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        System.out.println(key + "_TEXT=" + root.getMessage());
    }
}
