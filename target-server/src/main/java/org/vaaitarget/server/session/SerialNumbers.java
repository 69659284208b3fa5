package org.vaaitarget.server.session;

/**
 * 32-bit serial number arithmetic (RFC 1982 with SERIAL_BITS = 32), as RFC 7143 4.2.2.1 requires for
 * CmdSN, ExpCmdSN, MaxCmdSN, StatSN and DataSN comparisons. Two numbers exactly 2^31 apart are
 * undefined in RFC 1982; here they compare as "less" (never happens within a window of at most
 * 2^31 - 1 commands).
 */
public final class SerialNumbers {
    private SerialNumbers() {
    }

    /** {@code a < b} in serial arithmetic. */
    public static boolean lt(int a, int b) {
        int d = b - a;
        return d > 0 || d == Integer.MIN_VALUE;
    }

    /** {@code a <= b} in serial arithmetic. */
    public static boolean le(int a, int b) {
        return a == b || lt(a, b);
    }

    /** {@code a > b} in serial arithmetic. */
    public static boolean gt(int a, int b) {
        return lt(b, a);
    }

    /** {@code lo <= x <= hi} in serial arithmetic (the window may wrap past 2^32). */
    public static boolean inWindow(int x, int lo, int hi) {
        return le(lo, x) && le(x, hi);
    }
}
