package org.vaaitarget.server.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.DefaultFileRegion;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.FileDataIn;
import org.vaaitarget.server.pdu.Opcode;
import org.vaaitarget.server.pdu.Pdu;
import org.vaaitarget.server.session.NegotiatedParameters;

/**
 * Data-In sent from the LUN file: per PDU a header that declares the segment, the file region and its
 * padding, with the same DataSN, offsets, F/S bits and residuals as from a buffer; the file's claim
 * (the read's range lock) ends only once everything was written, or when the connection is gone.
 */
class FileDataInTest {
    @TempDir
    Path dir;

    private FileChannel file;
    private FfpHarness h;
    private final AtomicInteger releases = new AtomicInteger();

    @BeforeEach
    void open() throws IOException {
        file = FileChannel.open(dir.resolve("lun.img"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
    }

    @AfterEach
    void close() throws IOException {
        if (h != null) {
            h.close();
        }
        assertTrue(file.isOpen(), "the LUN file stays open: regions never close it");
        file.close();
    }

    private FileDataIn fileData(long position, int length) {
        return new FileDataIn(file, position, length, releases::incrementAndGet);
    }

    @Test
    void headersDeclareTheSegmentsTheRegionsFollowAndTheClaimEndsWhenAllIsWritten() {
        // MaxXmitDataSegmentLength 8192, MaxBurstLength 16384: 20002 bytes = 8192 + 8192 | 3618 (+2 padding)
        h = new FfpHarness(FfpHarness.params(8192, 16384, 65536, true, true, 1));
        h.router.autoResult = c -> {
            assertTrue(c.fileDataInAccepted(), "no data digest: the connection accepts file Data-In");
            return CommandResult.goodWithFile(fileData(4096, 20002));
        };
        h.send(FfpHarness.read(0x11, 100, 20002));
        h.run();

        int[][] expected = {{0, 8192, 0x00}, {8192, 8192, 0x80}, {16384, 3618, 0x81}};
        for (int i = 0; i < expected.length; i++) {
            Pdu p = h.next(Opcode.DATA_IN);
            assertEquals(i, p.u32(36), "DataSN");
            assertEquals(expected[i][0], p.u32(40), "buffer offset");
            assertEquals(expected[i][1], p.dataSegmentLength(), "declared segment length");
            assertEquals(0, p.data().readableBytes(), "the bytes follow as a file region");
            assertEquals(expected[i][2], p.flags(), "F/S bits of PDU " + i);
            p.release();
            DefaultFileRegion region = assertInstanceOf(DefaultFileRegion.class, h.channel.readOutbound());
            assertEquals(4096 + expected[i][0], region.position());
            assertEquals(expected[i][1], region.count());
            region.release();
        }
        ByteBuf pad = h.channel.readOutbound();
        assertEquals(2, pad.readableBytes(), "20002 bytes pad to a 4-byte boundary");
        pad.release();
        assertNull(h.channel.readOutbound(), "phase collapse: no SCSI Response");
        assertEquals(1, releases.get(), "released once, after the last region was written");
    }

    @Test
    void theClaimEndsWhenTheConnectionIsGoneBeforeTheResult() {
        h = new FfpHarness(FfpHarness.params(8192, 16384, 65536, true, true, 1));
        h.send(FfpHarness.read(0x12, 100, 65536));
        h.run();
        h.channel.close();
        h.run();
        h.router.last().complete(CommandResult.goodWithFile(fileData(0, 65536)));
        h.run();
        assertEquals(1, releases.get(), "the result of a task whose connection closed is released");
    }

    @Test
    void withDataDigestsTheConnectionAsksForBuffers() {
        h = new FfpHarness(new NegotiatedParameters(false, true, 262144, 8192, 16384, 65536, true, true,
                1, true, true, 0, 1, 2, 20));
        h.router.autoResult = c -> {
            assertFalse(c.fileDataInAccepted(), "CRC32C needs the bytes in the target");
            return CommandResult.good(0);
        };
        h.send(FfpHarness.read(0x13, 100, 0));
        h.run();
        h.drain();
        assertEquals(1, h.router.submitted.size());
    }
}
