package org.vaaitarget.core.observe;

/**
 * Gives each logical unit of a target device its {@link LunObserver}
 * ({@link org.vaaitarget.core.dispatch.TargetDevice#observe}). {@link #NONE}: metrics off.
 */
@FunctionalInterface
public interface TargetObserver {

    TargetObserver NONE = (target, lun) -> LunObserver.NONE;

    /**
     * The observer of one LU, asked once per LU when the device is observed.
     *
     * @param target the target name
     * @param lun    the LU number, or -1 for commands addressed to a LUN that does not exist (INQUIRY and
     *               REPORT LUNS probes, errors)
     */
    LunObserver lun(String target, int lun);
}
