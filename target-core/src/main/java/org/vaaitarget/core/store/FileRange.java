package org.vaaitarget.core.store;

import java.nio.channels.FileChannel;

/**
 * A byte range of a store's backing file (see {@link BlockStore#cachedFileRange}).
 *
 * @param channel  the file; owned by the store, never closed by users of the range
 * @param position file offset of the first byte
 * @param length   number of bytes
 */
public record FileRange(FileChannel channel, long position, int length) {
}
