package org.vaaitarget.core.lu.pr;

import org.vaaitarget.core.scsi.ItNexus;

/**
 * A parsed and CDB-validated PERSISTENT RESERVE OUT command (SPC-5 6.16).
 *
 * @param serviceAction one of the SA_ constants
 * @param type          the TYPE field (null when the service action ignores it or it is not valid)
 * @param key           RESERVATION KEY
 * @param saKey         SERVICE ACTION RESERVATION KEY
 * @param aptpl         APTPL
 * @param unreg         UNREG (REGISTER AND MOVE)
 * @param moveTo        the destination I_T nexus (REGISTER AND MOVE), else null
 * @param moveToPort    RELATIVE TARGET PORT IDENTIFIER (REGISTER AND MOVE)
 */
public record PrOutRequest(int serviceAction, ReservationType type, long key, long saKey, boolean aptpl, boolean unreg,
                    ItNexus moveTo, int moveToPort) {
    public static final int REGISTER = 0x00;
    public static final int RESERVE = 0x01;
    public static final int RELEASE = 0x02;
    public static final int CLEAR = 0x03;
    public static final int PREEMPT = 0x04;
    public static final int PREEMPT_AND_ABORT = 0x05;
    public static final int REGISTER_AND_IGNORE = 0x06;
    public static final int REGISTER_AND_MOVE = 0x07;
}
