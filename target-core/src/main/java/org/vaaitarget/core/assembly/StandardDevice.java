package org.vaaitarget.core.assembly;

import java.util.List;
import org.vaaitarget.core.dispatch.LunMask;
import org.vaaitarget.core.dispatch.TargetDevice;
import org.vaaitarget.core.lu.LogicalUnit;

/** A target device serving the {@link StandardHandlers}: what the server runs. */
public final class StandardDevice {
    private StandardDevice() {
    }

    /** Every LUN visible to every nexus. */
    public static TargetDevice of(String name, List<LogicalUnit> luns) {
        return of(name, luns, LunMask.NONE);
    }

    /** With LUN masking: {@code mask} decides which LUNs each nexus sees. */
    public static TargetDevice of(String name, List<LogicalUnit> luns, LunMask mask) {
        return new TargetDevice(name, luns, StandardHandlers.all(), TargetDevice.DEFAULT_MAX_TASKS_IN_FLIGHT, mask);
    }
}
