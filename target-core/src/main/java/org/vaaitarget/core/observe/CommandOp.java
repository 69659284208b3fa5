package org.vaaitarget.core.observe;

/**
 * The operation classes the target counts commands by (the {@code op} label of the metrics). Every
 * opcode maps to exactly one; commands that are neither data movement nor VAAI primitives are
 * {@link #OTHER}.
 */
public enum CommandOp {
    READ("read"),
    /** WRITE(6/10/12/16) and WRITE AND VERIFY(10/12/16). */
    WRITE("write"),
    COMPARE_AND_WRITE("compare_and_write"),
    WRITE_SAME("write_same"),
    UNMAP("unmap"),
    /** EXTENDED COPY (83h); RECEIVE COPY RESULTS is {@link #OTHER}. */
    XCOPY("xcopy"),
    VERIFY("verify"),
    SYNC("sync"),
    OTHER("other");

    private static final CommandOp[] BY_OPCODE = new CommandOp[256];

    static {
        java.util.Arrays.fill(BY_OPCODE, OTHER);
        for (int op : new int[] {0x08, 0x28, 0xA8, 0x88}) {
            BY_OPCODE[op] = READ;
        }
        for (int op : new int[] {0x0A, 0x2A, 0xAA, 0x8A, 0x2E, 0xAE, 0x8E}) {
            BY_OPCODE[op] = WRITE;
        }
        BY_OPCODE[0x89] = COMPARE_AND_WRITE;
        BY_OPCODE[0x41] = WRITE_SAME;
        BY_OPCODE[0x93] = WRITE_SAME;
        BY_OPCODE[0x42] = UNMAP;
        BY_OPCODE[0x83] = XCOPY;
        for (int op : new int[] {0x2F, 0xAF, 0x8F}) {
            BY_OPCODE[op] = VERIFY;
        }
        BY_OPCODE[0x35] = SYNC;
        BY_OPCODE[0x91] = SYNC;
    }

    private final String label;

    CommandOp(String label) {
        this.label = label;
    }

    /** The metric label value, e.g. {@code compare_and_write}. */
    public String label() {
        return label;
    }

    /** The class of an operation code (CDB byte 0); anything unknown or negative is {@link #OTHER}. */
    public static CommandOp of(int opcode) {
        return opcode < 0 || opcode > 255 ? OTHER : BY_OPCODE[opcode];
    }
}
