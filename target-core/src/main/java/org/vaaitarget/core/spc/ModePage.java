package org.vaaitarget.core.spc;

import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.dispatch.ParameterData;

/**
 * The mode pages this LU implements (SPC-5 7.5, SBC-4 6.5), each in page_0 format with no subpages
 * and none saveable (PS=0). One constant per page: how it reads for each page control value and how
 * a MODE SELECT applies its changeable bits.
 *
 * <ul>
 *   <li>01h Read-Write Error Recovery: all zero (no retries, no error reporting knobs), nothing
 *       changeable.</li>
 *   <li>08h Caching: WCE is the LU's current write-cache state; changeable only when the store has a
 *       volatile cache (a write-through store cannot honour WCE=1); RCD=0.</li>
 *   <li>0Ah Control: D_SENSE changeable. QUEUE ALGORITHM MODIFIER 1 (tasks may run in any order, which
 *       is what the dispatcher does), QERR 00b (a CHECK CONDITION does not affect other tasks),
 *       TAS=1 and not changeable (a task aborted by another nexus's task management function or
 *       PREEMPT AND ABORT ends with TASK ABORTED status, SAM-5 5.6; {@code ModeParameters#taskAbortedStatus}),
 *       SWP changeable (software write protect: the medium refuses writes with DATA PROTECT / WRITE
 *       PROTECTED until it is cleared; not saved), BUSY TIMEOUT PERIOD FFFFh (unlimited).</li>
 * </ul>
 */
enum ModePage {
    READ_WRITE_ERROR_RECOVERY(0x01, 0x0A) {
        @Override
        void fill(byte[] p, PageControl pc, LogicalUnit lu) {
        }

        @Override
        boolean apply(byte[] src, int off, LogicalUnit lu) {
            return false;
        }
    },
    CACHING(0x08, 0x12) {
        @Override
        void fill(byte[] p, PageControl pc, LogicalUnit lu) {
            boolean volatileCache = lu.store().capabilities().volatileWriteCache();
            boolean wce = switch (pc) {
                case CURRENT, SAVED -> lu.mode().writeCacheEnabled();
                case CHANGEABLE, DEFAULT -> volatileCache;
            };
            p[2] = (byte) (wce ? WCE : 0);
        }

        @Override
        boolean apply(byte[] src, int off, LogicalUnit lu) {
            boolean wce = (src[off + 2] & WCE) != 0;
            if (wce == lu.mode().writeCacheEnabled()) {
                return false;
            }
            lu.mode().writeCacheEnabled(wce);
            return true;
        }
    },
    CONTROL(0x0A, 0x0A) {
        @Override
        void fill(byte[] p, PageControl pc, LogicalUnit lu) {
            if (pc == PageControl.CHANGEABLE) {
                p[2] = D_SENSE;
                p[4] = SWP;
                return;
            }
            boolean dsense = pc != PageControl.DEFAULT && lu.mode().descriptorSense();
            p[2] = (byte) (dsense ? D_SENSE : 0);
            boolean swp = pc != PageControl.DEFAULT && lu.mode().softwareWriteProtect();
            p[4] = (byte) (swp ? SWP : 0);
            p[3] = 0x10;                                   // QUEUE ALGORITHM MODIFIER 1, QERR 00b
            p[5] = (byte) (lu.mode().taskAbortedStatus() ? TAS : 0);
            ParameterData.put16(p, 8, 0xFFFF);             // BUSY TIMEOUT PERIOD: unlimited
        }

        @Override
        boolean apply(byte[] src, int off, LogicalUnit lu) {
            boolean dsense = (src[off + 2] & D_SENSE) != 0;
            boolean swp = (src[off + 4] & SWP) != 0;
            if (dsense == lu.mode().descriptorSense() && swp == lu.mode().softwareWriteProtect()) {
                return false;
            }
            lu.mode().descriptorSense(dsense);
            lu.mode().softwareWriteProtect(swp);
            return true;
        }
    };

    /** MODE SENSE PC field (SPC-5 6.14.1, table 175). */
    enum PageControl {
        CURRENT, CHANGEABLE, DEFAULT, SAVED
    }

    private static final byte WCE = 0x04;
    private static final byte D_SENSE = 0x04;
    /** Control mode page byte 5 bit 6: TASK ABORTED status for tasks aborted by another I_T nexus. */
    private static final byte TAS = 0x40;
    /** Control mode page byte 4 bit 3 (SPC-5 7.5.8). */
    private static final byte SWP = 0x08;

    private final int code;
    private final int pageLength;

    ModePage(int code, int pageLength) {
        this.code = code;
        this.pageLength = pageLength;
    }

    int code() {
        return code;
    }

    /** The PAGE LENGTH field: bytes after byte 1. */
    int pageLength() {
        return pageLength;
    }

    /** The page bytes (header included) for a page control value. */
    byte[] build(PageControl pc, LogicalUnit lu) {
        byte[] p = new byte[2 + pageLength];
        p[0] = (byte) code;                                // PS=0, SPF=0
        p[1] = (byte) pageLength;
        fill(p, pc, lu);
        return p;
    }

    abstract void fill(byte[] p, PageControl pc, LogicalUnit lu);

    /**
     * Applies a page already validated against the changeable mask.
     *
     * @return true when a current value changed
     */
    abstract boolean apply(byte[] src, int off, LogicalUnit lu);

    /** The page with this code, or null. */
    static ModePage byCode(int code) {
        for (ModePage p : values()) {
            if (p.code == code) {
                return p;
            }
        }
        return null;
    }
}
