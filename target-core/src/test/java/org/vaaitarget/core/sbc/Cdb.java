package org.vaaitarget.core.sbc;

/** CDB builders for tests. */
final class Cdb {
    private Cdb() {
    }

    static byte[] rw6(int opcode, long lba, int blocks) {
        byte[] c = new byte[6];
        c[0] = (byte) opcode;
        c[1] = (byte) ((lba >>> 16) & 0x1F);
        c[2] = (byte) (lba >>> 8);
        c[3] = (byte) lba;
        c[4] = (byte) blocks;
        return c;
    }

    static byte[] ten(int opcode, long lba, int blocks, int byte1) {
        byte[] c = new byte[10];
        c[0] = (byte) opcode;
        c[1] = (byte) byte1;
        put(c, 2, 4, lba);
        put(c, 7, 2, blocks);
        return c;
    }

    static byte[] twelve(int opcode, long lba, long blocks, int byte1) {
        byte[] c = new byte[12];
        c[0] = (byte) opcode;
        c[1] = (byte) byte1;
        put(c, 2, 4, lba);
        put(c, 6, 4, blocks);
        return c;
    }

    static byte[] sixteen(int opcode, long lba, long blocks, int byte1) {
        byte[] c = new byte[16];
        c[0] = (byte) opcode;
        c[1] = (byte) byte1;
        put(c, 2, 8, lba);
        put(c, 10, 4, blocks);
        return c;
    }

    static byte[] read16(long lba, long blocks, int byte1) {
        return sixteen(0x88, lba, blocks, byte1);
    }

    static byte[] write16(long lba, long blocks, int byte1) {
        return sixteen(0x8A, lba, blocks, byte1);
    }

    static byte[] caw(long lba, int nlb, int byte1) {
        byte[] c = new byte[16];
        c[0] = (byte) 0x89;
        c[1] = (byte) byte1;
        put(c, 2, 8, lba);
        c[13] = (byte) nlb;
        return c;
    }

    static void put(byte[] c, int off, int len, long v) {
        for (int i = len - 1; i >= 0; i--) {
            c[off + i] = (byte) v;
            v >>>= 8;
        }
    }
}
