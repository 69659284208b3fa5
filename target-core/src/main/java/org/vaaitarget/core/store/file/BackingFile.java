package org.vaaitarget.core.store.file;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.vaaitarget.core.config.LunConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the file behind a LUN: a missing file is created sparse at {@code LunConfig.sizeBytes}; an
 * existing file is used at its own size. Either size must be a positive whole number of blocks.
 *
 * @param path      the file
 * @param channel   open for read and write (buffered, no O_DSYNC), or for reading only for a read-only LUN;
 *                  the caller closes it
 * @param sizeBytes the file's size, a positive multiple of the block size
 * @param journal   the atomic-write journal beside it ({@code <file>.atomic}, created when missing), or null
 *                  for a read-only LUN; the caller closes it
 */
record BackingFile(Path path, FileChannel channel, long sizeBytes, FileChannel journal) {
    private static final Logger LOG = LoggerFactory.getLogger(BackingFile.class);

    /**
     * @throws IllegalArgumentException when the file is missing and the configured size is not a positive
     *                                  multiple of the block size (the message names file and size)
     * @throws IOException              when the file cannot be created or opened, or an existing file has
     *                                  an unusable size; the message names the file
     */
    static BackingFile open(LunConfig config) throws IOException {
        Path path = config.file().toAbsolutePath();
        int blockSize = config.blockSize();
        if (!Files.exists(path)) {
            if (config.readOnly()) {
                throw new IOException(path + ": the file does not exist; a read-only LUN serves an existing file");
            }
            createSparse(path, config.sizeBytes(), blockSize);
        }
        FileChannel channel = openChannel(path, config.readOnly());
        try {
            long size = channel.size();
            if (size == 0) {
                throw new IOException(path + ": the file is empty; a LUN needs at least one " + blockSize
                        + "-byte block");
            }
            if (size % blockSize != 0) {
                throw new IOException(path + ": its size " + size + " bytes is not a multiple of the block size "
                        + blockSize + " (" + (size % blockSize) + " bytes past the last whole block)");
            }
            if (size != config.sizeBytes()) {
                LOG.info("{}: using the existing file's size {} bytes (configured size {} applies only to a new file)",
                        path, size, config.sizeBytes());
            }
            FileChannel journal = config.readOnly() ? null : openJournal(path);
            return new BackingFile(path, channel, size, journal);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static FileChannel openJournal(Path lunFile) throws IOException {
        Path journal = lunFile.resolveSibling(lunFile.getFileName() + ".atomic");
        try {
            return FileChannel.open(journal, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new IOException(journal + ": cannot open the atomic-write journal: " + e, e);
        }
    }

    private static void createSparse(Path path, long sizeBytes, int blockSize) throws IOException {
        if (sizeBytes <= 0 || sizeBytes % blockSize != 0) {
            throw new IllegalArgumentException(path + ": cannot create the file with size " + sizeBytes
                    + " bytes; the size must be a positive multiple of the block size " + blockSize);
        }
        Path parent = path.getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try {
            Files.createFile(path);
        } catch (FileAlreadyExistsException raced) {
            return; // someone created it between our check and now: use it as an existing file
        }
        // setLength extends with ftruncate(2): no block is allocated, the file is sparse.
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
            file.setLength(sizeBytes);
        } catch (IOException e) {
            Files.deleteIfExists(path);
            throw new IOException(path + ": cannot size the new file to " + sizeBytes + " bytes: " + e.getMessage(), e);
        }
        LOG.info("{}: created a sparse file of {} bytes", path, sizeBytes);
    }

    /**
     * Never O_DSYNC, in either mode: durability is the store's group commit (one fdatasync per batch). A
     * read-only LUN's file is opened for reading only (a file the server may not write works).
     */
    private static FileChannel openChannel(Path path, boolean readOnly) throws IOException {
        if (readOnly) {
            try {
                return FileChannel.open(path, StandardOpenOption.READ);
            } catch (IOException e) {
                throw new IOException(path + ": cannot open for reading: " + e, e);
            }
        }
        try {
            return FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            throw new IOException(path + ": the file vanished while opening it", e);
        } catch (IOException e) {
            throw new IOException(path + ": cannot open for reading and writing: " + e, e);
        }
    }
}
