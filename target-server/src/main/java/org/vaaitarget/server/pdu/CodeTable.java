package org.vaaitarget.server.pdu;

import java.util.function.ToIntFunction;

/**
 * The lookup of an enum that stands for the values of a wire field ({@link Opcode}, {@code LoginStage}): the
 * constant for each value of the field's bits, or null for a value no constant stands for. Building it
 * checks that every constant's code fits the field and that no two constants share one.
 */
public final class CodeTable<E extends Enum<E>> {
    private final Object[] byCode;
    private final int mask;

    /**
     * @param constants the enum's {@code values()}
     * @param code      each constant's wire code
     * @param mask      the field's bits, all ones ({@code 0x3F} for a 6-bit field): a value is masked with it
     */
    public CodeTable(E[] constants, ToIntFunction<E> code, int mask) {
        this.mask = mask;
        this.byCode = new Object[mask + 1];
        for (E e : constants) {
            int c = code.applyAsInt(e);
            if ((c & mask) != c || byCode[c] != null) {
                throw new IllegalArgumentException(e + ": code " + c + " is outside the field or taken");
            }
            byCode[c] = e;
        }
    }

    /** The constant for a field value (its bits outside the field ignored), or null. */
    @SuppressWarnings("unchecked")
    public E of(int value) {
        return (E) byCode[value & mask];
    }
}
