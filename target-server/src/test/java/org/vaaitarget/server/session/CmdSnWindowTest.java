package org.vaaitarget.server.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CmdSnWindowTest {

    private static CmdSnWindow.Held record(List<Integer> log, int n) {
        return new CmdSnWindow.Held() {
            @Override
            public void deliver() {
                log.add(n);
            }

            @Override
            public void discard() {
                log.add(-n);
            }
        };
    }

    @Test
    void serialArithmeticWrapsAround() {
        assertTrue(SerialNumbers.lt(0xFFFFFFFF, 0));
        assertTrue(SerialNumbers.gt(1, 0xFFFFFFF0));
        assertTrue(SerialNumbers.inWindow(2, 0xFFFFFFFE, 5));
        assertFalse(SerialNumbers.inWindow(6, 0xFFFFFFFE, 5));
    }

    @Test
    void windowDeliversInOrderAcrossTheWrap() {
        CmdSnWindow w = new CmdSnWindow(0xFFFFFFFE, 8);
        List<Integer> log = new ArrayList<>();
        assertEquals(CmdSnWindow.Admission.HELD, w.offer(0, record(log, 3)));
        assertEquals(CmdSnWindow.Admission.HELD, w.offer(0xFFFFFFFF, record(log, 2)));
        assertEquals(CmdSnWindow.Admission.IGNORED, w.offer(0, record(log, 9)), "duplicate");
        assertEquals(CmdSnWindow.Admission.IGNORED, w.offer(6, record(log, 9)), "beyond MaxCmdSN 5");
        assertEquals(CmdSnWindow.Admission.DELIVERED, w.offer(0xFFFFFFFE, record(log, 1)));
        assertEquals(List.of(1, 2, 3), log);
        assertEquals(1, w.expCmdSn());
        assertEquals(8, w.maxCmdSn());
    }

    @Test
    void busyCommandsHoldMaxCmdSnBack() {
        CmdSnWindow w = new CmdSnWindow(10, 2);
        w.offer(10, new CmdSnWindow.Held() {
            @Override
            public void deliver() {
                w.commandStarted();
            }

            @Override
            public void discard() {
            }
        });
        assertEquals(11, w.expCmdSn());
        assertEquals(11, w.maxCmdSn(), "one outstanding of two");
        w.commandFinished();
        assertEquals(12, w.maxCmdSn());
    }

    @Test
    void plugFillsAGapAndDiscardReleasesHeldCommands() {
        CmdSnWindow w = new CmdSnWindow(1, 8);
        List<Integer> log = new ArrayList<>();
        w.offer(3, record(log, 3));
        w.offer(5, record(log, 5));
        w.plug(2);
        w.plug(1);
        assertEquals(List.of(3), log);
        assertEquals(4, w.expCmdSn());
        w.discardAll();
        assertEquals(List.of(3, -5), log);
        assertEquals(0, w.heldCount());
    }
}
