package org.vaaitarget.core.store.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * The calls by which a {@link FileBlockStore} changes its file and makes the changes durable: every write,
 * every deallocation (hole punch) and every sync goes through one of these, so that a test can interpose on
 * them (record what a power cut would keep, fail a sync) without touching the real I/O paths. Reads do not:
 * they see the file (the page cache), which the interposer leaves in place.
 */
interface MediumIo {

    /** Writes all of {@code src} at {@code position} (to the page cache; durable only after {@link #sync}). */
    void write(ByteBuffer src, long position) throws IOException;

    /** Makes [offset, offset + length) read as zeros, freeing its space where the file system can. */
    void deallocate(long offset, long length) throws IOException;

    /** Makes every write and deallocation that completed before the call durable (fdatasync). */
    void sync() throws IOException;

    /**
     * The real thing: positional writes on the channel, hole punching (or zeros), fdatasync on a descriptor of
     * {@code syncs} (one per concurrent sync: see {@link SyncChannels}).
     */
    static MediumIo of(FileChannel channel, SparseRegions sparse, SyncChannels syncs) {
        PositionalFile file = PositionalFile.of(channel);
        return new MediumIo() {
            @Override
            public void write(ByteBuffer src, long position) throws IOException {
                file.write(src, position);
            }

            @Override
            public void deallocate(long offset, long length) throws IOException {
                sparse.deallocate(offset, length);
            }

            /**
             * FileChannel.force(false) is fdatasync(2): it writes the dirty pages and the metadata "needed
             * in order to allow a subsequent data retrieval to be correctly handled" (fsync(2)), which includes
             * the extent map that fallocate(PUNCH_HOLE) changed: ext4_punch_hole marks its transaction with
             * ext4_update_inode_fsync_trans(handle, inode, 1) (datasync), which ext4_sync_file commits for
             * fdatasync; XFS's xfs_file_fsync forces the log for datasync whenever the inode has logged changes
             * other than timestamps (the extent changes of xfs_free_file_space are). So one fdatasync makes
             * both written data and punched holes durable; no fsync (which would also force mtime) is needed.
             */
            @Override
            public void sync() throws IOException {
                syncs.sync();
            }
        };
    }
}
