package org.vaaitarget.server.session;

import java.util.Objects;
import org.vaaitarget.core.scsi.ScsiTaskRouter;

/**
 * A target as the iSCSI layer sees it: its name, alias, portal group tag and the SCSI device behind it.
 *
 * @param name   iSCSI target name (IQN)
 * @param alias  TargetAlias, or null
 * @param portalGroupTag the TPGT of the portal group all of this server's portals belong to
 * @param device the SCSI target device (core)
 * @param abortFinishedTask the answer to ABORT TASK of a task the target no longer knows (YAML
 *                          {@code abortFinishedTask})
 */
public record ServerTarget(String name, String alias, int portalGroupTag, ScsiTaskRouter device,
                           AbortFinishedTask abortFinishedTask) {
    public ServerTarget {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(device, "device");
        abortFinishedTask = abortFinishedTask == null ? AbortFinishedTask.AUTO : abortFinishedTask;
    }

    /** With {@link AbortFinishedTask#AUTO}. */
    public ServerTarget(String name, String alias, int portalGroupTag, ScsiTaskRouter device) {
        this(name, alias, portalGroupTag, device, AbortFinishedTask.AUTO);
    }
}
