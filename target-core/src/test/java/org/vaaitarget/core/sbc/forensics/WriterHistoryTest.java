package org.vaaitarget.core.sbc.forensics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.vaaitarget.core.scsi.ItNexus;

class WriterHistoryTest {
    private static final ItNexus A = new ItNexus("iqn.2026-11.test:a", "00023d000001", "iqn.2026-11.test:t", 1);
    private static final ItNexus B = new ItNexus("iqn.2026-11.test:b", "00023d000002", "iqn.2026-11.test:t", 1);
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T08:00:00Z"), ZoneOffset.UTC);

    private final WriterHistory history = new WriterHistory(64, 16, CLOCK);

    @Test
    void everyBlockOfASmallWriteNamesItsWriter() {
        history.recordWrite(10, 4, A, "WRITE(10)");
        for (long b = 10; b < 14; b++) {
            WriteRecord r = history.lastWriter(b);
            assertEquals(A.initiatorPortName(), r.initiatorPort());
            assertEquals(10, r.lba());
            assertEquals(4, r.blocks());
            assertEquals(CLOCK.instant(), r.time());
        }
        assertNull(history.lastWriter(9));
        assertNull(history.lastWriter(14));
    }

    @Test
    void aLaterWriteOfTheBlockReplacesTheEarlierOne() {
        history.recordWrite(10, 4, A, "WRITE(10)");
        history.recordWrite(12, 1, B, "COMPARE AND WRITE");
        assertEquals(B.initiatorPortName(), history.lastWriter(12).initiatorPort());
        assertEquals("COMPARE AND WRITE", history.lastWriter(12).command());
        assertEquals(A.initiatorPortName(), history.lastWriter(13).initiatorPort(), "the rest of A's write stays");
    }

    @Test
    void aBlockWhoseSlotWasTakenByAnotherBlockIsForgottenNotMisattributed() {
        history.recordWrite(3, 1, A, "WRITE(10)");
        history.recordWrite(3 + 64, 1, B, "WRITE(10)"); // same slot in a 64-slot table
        assertNull(history.lastWriter(3), "B did not write block 3");
        assertEquals(B.initiatorPortName(), history.lastWriter(67).initiatorPort());
    }

    @Test
    void hostsMiscomparingOnOneBlockShareOneRecordOfItsWriter() {
        history.recordWrite(12, 1, B, "COMPARE AND WRITE");
        assertSame(history.lastWriter(12), history.lastWriter(12), "made once, at the first lookup");
    }

    @Test
    void theTimeIsKeptToTheMillisecond() {
        Clock fine = Clock.fixed(Instant.parse("2026-11-22T08:00:00.123456Z"), ZoneOffset.UTC);
        WriterHistory h = new WriterHistory(64, 16, fine);
        h.recordWrite(1, 1, A, "WRITE(10)");
        assertEquals(Instant.parse("2026-11-22T08:00:00.123Z"), h.lastWriter(1).time());
    }

    @Test
    void largeWritesAreNotRecorded() {
        history.recordWrite(0, 17, A, "WRITE(16)");
        assertNull(history.lastWriter(0));
    }

    @Test
    void tableMustHoldTheLargestRecordedWrite() {
        assertThrows(IllegalArgumentException.class, () -> new WriterHistory(8, 16, CLOCK));
    }
}
