package org.vaaitarget.server.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.vaaitarget.server.pdu.Pdu;

/** What the core receives as a write's Data-Out. */
class DataOutCollectorTest {
    private static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    @Test
    void dataThatCameInOnePduIsHandedOnAsThatBuffer() {
        // a COMPARE AND WRITE of one block: 1 KiB of immediate data, F=1
        ByteBuf immediate = Unpooled.directBuffer(1024).writeZero(1024);
        DataOutCollector c = new DataOutCollector(ALLOC, 1024, immediate, 1024, false);
        assertTrue(c.complete());
        ByteBuf data = c.takeData();
        assertSame(immediate, data, "no composite around the one buffer");
        assertEquals(1024, data.readableBytes());
        c.release(); // the collector no longer owns it
        assertEquals(1, data.refCnt());
        data.release();
    }

    @Test
    void aCollectorReleasedBeforeTheDataIsCompleteReleasesWhatItHolds() {
        ByteBuf immediate = Unpooled.buffer(4).writeBytes(new byte[] {1, 2, 3, 4});
        DataOutCollector c = new DataOutCollector(ALLOC, 8, immediate, 8, false);
        assertFalse(c.complete());
        c.release();
        assertEquals(0, immediate.refCnt());
    }

    @Test
    void twoBuffersOfOneSequenceBecomeOneComposite() {
        ByteBuf immediate = Unpooled.buffer(4).writeBytes(new byte[] {1, 2, 3, 4});
        DataOutCollector c = new DataOutCollector(ALLOC, 8, immediate, 8, false);
        Pdu more = FfpHarness.dataOut(0x77, 0xFFFFFFFF, 0, 4, true, Unpooled.buffer(4).writeBytes(new byte[] {5, 6, 7, 8}));
        assertEquals(null, c.accept(more));
        more.release();
        assertTrue(c.complete());
        ByteBuf data = c.takeData();
        assertTrue(data instanceof CompositeByteBuf);
        for (int i = 0; i < 8; i++) {
            assertEquals(i + 1, data.getByte(i));
        }
        data.release();
        assertEquals(0, immediate.refCnt());
    }

    @Test
    void aFirstBufferThatIsItselfACompositeIsNotAddedTo() {
        // the first PDU's data happens to be a composite (not one the collector made): the next PDU's data must
        // go into a composite of the collector's own, leaving that buffer as it came
        CompositeByteBuf first = ALLOC.compositeBuffer().addComponents(true,
                Unpooled.buffer(2).writeBytes(new byte[] {1, 2}), Unpooled.buffer(2).writeBytes(new byte[] {3, 4}));
        DataOutCollector c = new DataOutCollector(ALLOC, 8, first, 8, false);
        Pdu more = FfpHarness.dataOut(0x77, 0xFFFFFFFF, 0, 4, true, Unpooled.buffer(4).writeBytes(new byte[] {5, 6, 7, 8}));
        assertEquals(null, c.accept(more));
        more.release();
        assertTrue(c.complete());
        assertEquals(2, first.numComponents(), "the first buffer was not added to");
        assertEquals(4, first.readableBytes());
        ByteBuf data = c.takeData();
        assertTrue(data != first);
        for (int i = 0; i < 8; i++) {
            assertEquals(i + 1, data.getByte(i));
        }
        data.release();
        assertEquals(0, first.refCnt());
    }
}
