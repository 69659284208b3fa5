package org.vaaitarget.conformance.robust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vaaitarget.conformance.support.TestTarget;
import org.vaaitarget.server.app.ServerConfig;
import org.vaaitarget.server.session.ZeroCopyReads;

/**
 * Issue 19, "zero-copy reads and in-flight pages": can a READ return a block that a later COMPARE AND
 * WRITE changed half-way? A raw initiator on 127.0.0.1 sends a 256 KiB READ and takes only the bytes up
 * to the middle of block {@link #TORN} off its socket, the way a slow peer has received only the start of
 * a read whose rest waits in the target's send queue or (loopback) in its own receive queue. A second
 * session then runs a COMPARE AND WRITE of the three blocks around that point, and once it is answered
 * GOOD (or after {@link #WRITER_WAIT_SECONDS}, when the target rightly holds it back until the read's bytes
 * are stable) the reader takes the rest.
 *
 * <p>Every 8-byte word of a block holds its LBA and a generation (old or new), so a block that is half
 * old and half new, or a COMPARE AND WRITE seen in part, is visible. SBC-4 5.3: COMPARE AND WRITE is
 * atomic towards every other command, so the READ must see the three blocks all old or all new.
 *
 * <p>Finding (Linux 6.18): with the read sent by {@code sendfile} the read is torn. sendfile queues
 * references to the page-cache pages, not copies; the target released the read's range lock once the
 * bytes were "written" to the socket, the COMPARE AND WRITE then changed the pages in place, and the
 * bytes still queued were read from the changed pages. That is why {@code zeroCopyReads} is withdrawn
 * (the configuration refuses {@code auto} and {@code always}); copied reads never tear.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ZeroCopyTearTest {
    private static final long LUN_BYTES = 16L << 20;
    private static final int BLOCK = 512;
    private static final long BASE = 2048;
    /** 256 KiB: more than the 64 KiB below which reads are always copied; one Data-In PDU. */
    private static final int READ_BLOCKS = 512;
    /** The block (relative to BASE) in whose middle the reader stops. */
    private static final int TORN = 300;
    private static final int CAW_FIRST = TORN - 1;
    private static final int CAW_BLOCKS = 3;
    private static final long OLD = 1;
    private static final long NEW = 2;
    private static final int WRITER_WAIT_SECONDS = 10;
    private static final int BHS = 48;
    private static final byte[] TEST_UNIT_READY = new byte[6];

    @TempDir
    Path dir;

    /** What the reader got: per block of the READ, OLD, NEW, or -1 when the block is neither (torn). */
    private record Outcome(long[] generations, boolean writerAnsweredBeforeDrain) {
        List<Integer> tornBlocks() {
            List<Integer> torn = new ArrayList<>();
            for (int i = 0; i < generations.length; i++) {
                if (generations[i] < 0) {
                    torn.add(i);
                }
            }
            return torn;
        }

        String cawBlocks() {
            StringBuilder b = new StringBuilder();
            for (int i = CAW_FIRST; i < CAW_FIRST + CAW_BLOCKS; i++) {
                b.append(i == CAW_FIRST ? "" : " ").append(generations[i] == OLD ? "old" : generations[i] == NEW ? "new" : "torn");
            }
            return b.toString();
        }
    }

    /** The default: reads are copied under their range lock, so the COMPARE AND WRITE is seen whole or not at all. */
    @Test
    void copiedReadNeverShowsAHalfDoneCompareAndWrite() throws Exception {
        Outcome o = race(c -> c);
        assertEquals(List.of(), o.tornBlocks(), "blocks half old, half new");
        assertWholeCompareAndWrite(o);
        // The READ ran before the COMPARE AND WRITE was sent (part of its data had arrived), so it shows none of it.
        assertEquals("old old old", o.cawBlocks(), "the READ shows a COMPARE AND WRITE sent after it had run");
        for (int i = 0; i < READ_BLOCKS; i++) {
            if (i < CAW_FIRST || i >= CAW_FIRST + CAW_BLOCKS) {
                assertEquals(OLD, o.generations[i], "block " + i + " was never written");
            }
        }
        // The read was copied before its lock went, so the writer did not have to wait for the reader.
        assertTrue(o.writerAnsweredBeforeDrain, "COMPARE AND WRITE held back by a copied read");
    }

    /**
     * The evidence for withdrawing the mode: the code path is still there (only the configuration refuses
     * it), so forcing it on shows the tear. If this fails because nothing tore, the kernel no longer queues
     * page references on loopback, or the read was copied (no cachestat): the reason in README
     * "Zero-copy reads" should be checked again before turning the mode back on.
     */
    @Test
    void sendfileReadTearsWhenTheRangeLockEndsAtTheSocket() throws Exception {
        Outcome o = race(c -> c.withZeroCopyReads(ZeroCopyReads.ALWAYS));
        assertTrue(o.writerAnsweredBeforeDrain,
                "the COMPARE AND WRITE waited for the reader: the read's lock outlived the queued bytes");
        String caw = o.cawBlocks();
        assertTrue(!caw.equals("old old old") && !caw.equals("new new new"),
                "expected the queued bytes of a sendfile read to show the later COMPARE AND WRITE in part; got " + caw);
    }

    private static void assertWholeCompareAndWrite(Outcome o) {
        String caw = o.cawBlocks();
        assertTrue(caw.equals("old old old") || caw.equals("new new new"),
                "COMPARE AND WRITE of blocks " + CAW_FIRST + ".." + (CAW_FIRST + CAW_BLOCKS - 1)
                        + " seen in part by a READ (SBC-4 5.3 atomicity): " + caw);
    }

    private Outcome race(UnaryOperator<ServerConfig> customize) throws Exception {
        try (TestTarget target = TestTarget.start(dir, LUN_BYTES, customize)) {
            InetSocketAddress address = new InetSocketAddress(target.host(), target.port());
            try (IscsiClient setup = IscsiClient.loggedIn(address, target.iqn(), 1);
                 IscsiClient reader = IscsiClient.loggedIn(address, target.iqn(), 2);
                 IscsiClient writer = IscsiClient.loggedIn(address, target.iqn(), 3)) {
                setup.command(TEST_UNIT_READY, 0, false, null);
                reader.command(TEST_UNIT_READY, 0, false, null);
                writer.command(TEST_UNIT_READY, 0, false, null);
                int chunk = IscsiClient.FIRST_BURST / BLOCK;
                for (int i = 0; i < READ_BLOCKS; i += chunk) {
                    assertEquals(0, setup.write(BASE + i, blocks(i, chunk, OLD), false).status(), "WRITE of the old data");
                }
                // Read once so that every page is cached (the mode only sends cached pages from the file).
                assertEquals(0, setup.read(BASE, READ_BLOCKS).status());

                int itt = reader.sendCommand(IscsiClient.read16(BASE, READ_BLOCKS), READ_BLOCKS * BLOCK, true, null);
                reader.pullRaw(BHS + TORN * BLOCK + BLOCK / 2);

                CompletableFuture<IscsiClient.Result> caw = CompletableFuture.supplyAsync(() -> {
                    try {
                        return writer.compareAndWrite(BASE + CAW_FIRST, blocks(CAW_FIRST, CAW_BLOCKS, OLD),
                                blocks(CAW_FIRST, CAW_BLOCKS, NEW), false);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                boolean answered;
                try {
                    caw.get(WRITER_WAIT_SECONDS, TimeUnit.SECONDS);
                    answered = true;
                } catch (TimeoutException e) {
                    answered = false;                   // held back until the reader has its bytes: fine
                }
                IscsiClient.Result read = reader.awaitResult(itt);
                assertEquals(0, read.status(), "READ status");
                assertEquals(READ_BLOCKS * BLOCK, read.dataIn().length, "READ data length");
                assertEquals(0, caw.get(60, TimeUnit.SECONDS).status(), "COMPARE AND WRITE status");
                return new Outcome(generations(read.dataIn()), answered);
            }
        }
    }

    /** {@code count} blocks from {@code first} (relative to BASE): every word is the LBA times 16 plus the generation. */
    private static byte[] blocks(int first, int count, long generation) {
        ByteBuffer b = ByteBuffer.allocate(count * BLOCK);
        for (int i = 0; i < count; i++) {
            for (int w = 0; w < BLOCK / 8; w++) {
                b.putLong((BASE + first + i) * 16 + generation);
            }
        }
        return b.array();
    }

    private static long[] generations(byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data);
        long[] g = new long[data.length / BLOCK];
        for (int i = 0; i < g.length; i++) {
            long first = b.getLong(i * BLOCK);
            boolean whole = first / 16 == BASE + i && (first % 16 == OLD || first % 16 == NEW);
            for (int w = 1; whole && w < BLOCK / 8; w++) {
                whole = b.getLong(i * BLOCK + w * 8) == first;
            }
            g[i] = whole ? first % 16 : -1;
        }
        return g;
    }
}
