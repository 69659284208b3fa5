package org.vaaitarget.server.task;

import io.netty.channel.DefaultFileRegion;
import java.nio.channels.FileChannel;

/**
 * A {@link DefaultFileRegion} over a LUN's backing file that leaves the file open when released:
 * the store owns the channel and many regions share it. A DefaultFileRegion (not any FileRegion) so
 * that the epoll transport sends it with sendfile(2), and NIO with FileChannel.transferTo.
 */
final class SharedFileRegion extends DefaultFileRegion {
    SharedFileRegion(FileChannel file, long position, long count) {
        super(file, position, count);
    }

    @Override
    protected void deallocate() {
        // DefaultFileRegion closes the file here; the store's channel must stay open.
    }
}
