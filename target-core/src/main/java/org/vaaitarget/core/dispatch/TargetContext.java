package org.vaaitarget.core.dispatch;

import java.util.List;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.scsi.ItNexus;

/**
 * What a handler may know about the target device it runs on: its name, its logical units and the
 * command table dispatch serves. REPORT LUNS, REPORT SUPPORTED OPERATION CODES and the device
 * identification VPD page read it through {@link Task#context()}.
 */
public interface TargetContext {

    /** The target name (iSCSI IQN or EUI), used as the SCSI target device name. */
    String targetName();

    /** The logical units, ordered by number. */
    List<LogicalUnit> luns();

    /** The logical units {@code nexus} may see (LUN masking), ordered by number. Default: all of them. */
    default List<LogicalUnit> luns(ItNexus nexus) {
        return luns();
    }

    /** The commands dispatch serves: exactly what REPORT SUPPORTED OPERATION CODES lists. */
    HandlerTable commands();
}
