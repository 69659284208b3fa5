package org.vaaitarget.core.util;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable whole-file replacement for the small state files kept beside a LUN (its identity {@code .id}, its
 * APTPL reservations {@code .pr}): the content goes to a temporary file in the same directory, which is
 * fsynced, renamed over the target (atomic on POSIX: a reader or a crash sees the old or the new file, never a
 * mix), and the directory is fsynced so that the rename itself survives a power cut.
 */
public final class AtomicFiles {
    private static final Logger LOG = LoggerFactory.getLogger(AtomicFiles.class);

    private AtomicFiles() {
    }

    /**
     * Replaces (or creates) {@code target} with {@code content}, durably.
     *
     * @throws IOException naming {@code target} when it cannot be written; the temporary file is removed
     */
    public static void replace(Path target, byte[] content) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Path temp = Files.createTempFile(dir, absolute.getFileName().toString(), ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(temp);
            throw new IOException(target + ": cannot be replaced atomically: " + e.getMessage(), e);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e instanceof NoSuchFileException ? new IOException(target + ": cannot write: " + e, e) : e;
        }
        syncDirectory(dir);
    }

    /**
     * Removes {@code target} durably (the directory is fsynced when it was there).
     *
     * @return whether the file existed
     */
    public static boolean delete(Path target) throws IOException {
        boolean existed = Files.deleteIfExists(target);
        if (existed) {
            syncDirectory(target.toAbsolutePath().getParent());
        }
        return existed;
    }

    /** Makes a rename or removal durable; a platform that cannot open a directory only loses crash safety. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            LOG.debug("{}: cannot fsync the directory: {}", dir, e.toString());
        }
    }
}
