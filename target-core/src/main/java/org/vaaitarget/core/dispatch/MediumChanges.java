package org.vaaitarget.core.dispatch;

import java.util.Set;

/**
 * The commands that change the medium, which a write-protected LU refuses with DATA PROTECT / WRITE
 * PROTECTED (SBC-4 4.11 write protection, 4.29 medium access commands; SPC-5 7.5.8 SWP): WRITE(6/10/12/16),
 * WRITE AND VERIFY(10/12/16), COMPARE AND WRITE, ORWRITE(16), WRITE ATOMIC(16), WRITE SAME(10/16),
 * UNMAP, FORMAT UNIT and SANITIZE. EXTENDED COPY is not here: it may copy from a protected LU to another
 * one, so the copy checks its destinations itself.
 */
final class MediumChanges {
    private static final Set<Integer> OPCODES = Set.of(
            0x0A, 0x2A, 0xAA, 0x8A,      // WRITE
            0x2E, 0xAE, 0x8E,            // WRITE AND VERIFY
            0x89, 0x8B, 0x9C,            // COMPARE AND WRITE, ORWRITE(16), WRITE ATOMIC(16)
            0x41, 0x93, 0x42,            // WRITE SAME(10/16), UNMAP
            0x04, 0x48);                 // FORMAT UNIT, SANITIZE

    private MediumChanges() {
    }

    /** Whether a command with this operation code changes the medium. */
    static boolean changesMedium(int opcode) {
        return OPCODES.contains(opcode);
    }
}
