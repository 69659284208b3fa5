package org.vaaitarget.server.session;

import java.util.Locale;

/**
 * How a target answers ABORT TASK for a task it no longer knows (finished, or never received and
 * outside the CmdSN window): YAML {@code targets[].abortFinishedTask}, spelled {@code auto},
 * {@code function-complete} or {@code rfc}.
 */
public enum AbortFinishedTask {
    /** FUNCTION COMPLETE to initiators named iqn.1998-01.com.vmware..., TASK DOES NOT EXIST to the others. */
    AUTO,
    /** FUNCTION COMPLETE to everybody (ESXi with renamed IQNs or hardware adapters; SCST's answer to VMware). */
    FUNCTION_COMPLETE,
    /** TASK DOES NOT EXIST to everybody (RFC 7143 11.6.1). */
    RFC;

    /** The VMware software and hardware initiators name themselves iqn.1998-01.com.vmware:... */
    private static final String VMWARE_IQN_PREFIX = "iqn.1998-01.com.vmware";

    /** Whether an initiator named {@code initiatorName} gets FUNCTION COMPLETE. */
    public boolean functionCompleteFor(String initiatorName) {
        return switch (this) {
            case FUNCTION_COMPLETE -> true;
            case RFC -> false;
            case AUTO -> initiatorName != null
                    && initiatorName.toLowerCase(Locale.ROOT).startsWith(VMWARE_IQN_PREFIX);
        };
    }
}
