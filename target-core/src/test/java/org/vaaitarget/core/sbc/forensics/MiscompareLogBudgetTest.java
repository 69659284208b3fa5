package org.vaaitarget.core.sbc.forensics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MiscompareLogBudgetTest {
    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong now = new AtomicLong(42);
    private final MiscompareLogBudget budget = new MiscompareLogBudget(now::get);

    @Test
    void theFirstRecordsOfASecondAreWarnTheRestDebugAndTheNextSecondCountsThem() {
        for (int i = 0; i < MiscompareLogBudget.WARN_PER_SECOND; i++) {
            assertTrue(budget.admitWarn(), "record " + i);
        }
        assertFalse(budget.admitWarn());
        assertFalse(budget.admitWarn());
        assertEquals(0, budget.takeDemoted(), "counted only once their second is over");
        now.addAndGet(SECOND - 1);
        assertFalse(budget.admitWarn(), "still the same second");
        now.addAndGet(1);
        assertTrue(budget.admitWarn(), "a new second, a new budget");
        assertEquals(3, budget.takeDemoted());
        assertEquals(0, budget.takeDemoted(), "each DEBUG-only record is counted once");
    }

    @Test
    void aQuietLuLogsEveryMiscompareAtWarn() {
        for (int i = 0; i < 100; i++) {
            assertTrue(budget.admitWarn());
            now.addAndGet(SECOND);
        }
        assertEquals(0, budget.takeDemoted());
    }
}
