package org.vaaitarget.core.sbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.vaaitarget.core.dispatch.CommandHandler;
import org.vaaitarget.core.dispatch.CommandSpec;

class SbcHandlersTest {

    @Test
    void everyCommandIsServedOnceWithAUsageMapOfItsCdbLength() {
        Set<Long> seen = new HashSet<>();
        for (CommandHandler h : SbcHandlers.all()) {
            for (CommandSpec s : h.commands()) {
                assertTrue(seen.add(((long) s.opcode() << 16) | (s.serviceAction() & 0xFFFF)), s.name());
                assertEquals(s.opcode(), s.cdbUsageMap()[0] & 0xFF, s.name() + ": usage byte 0 is the opcode");
                assertEquals(SbcHandlers.cdbLengthOf(s.opcode()), s.cdbLength(), s.name());
            }
        }
        assertEquals(32, seen.size());                 // + WRITE SAME(10/16), UNMAP, GET LBA STATUS, READ DEFECT DATA(10/12), ORWRITE(16), SANITIZE x3, WRITE ATOMIC(16)
    }
}
