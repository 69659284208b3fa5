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
 */
public record ServerTarget(String name, String alias, int portalGroupTag, ScsiTaskRouter device) {
    public ServerTarget {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(device, "device");
    }
}
