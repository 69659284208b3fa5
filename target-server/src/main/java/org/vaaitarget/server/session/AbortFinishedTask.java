package org.vaaitarget.server.session;

import java.util.Locale;

/**
 * How a target answers ABORT TASK for a task it no longer knows (finished, or never received and
 * outside the CmdSN window): YAML {@code targets[].abortFinishedTask}.
 */
public enum AbortFinishedTask {
    /** FUNCTION COMPLETE to initiators named iqn.1998-01.com.vmware..., TASK DOES NOT EXIST to the others. */
    AUTO("auto"),
    /** FUNCTION COMPLETE to everybody (ESXi with renamed IQNs or hardware adapters; SCST's answer to VMware). */
    FUNCTION_COMPLETE("function-complete"),
    /** TASK DOES NOT EXIST to everybody (RFC 7143 11.6.1). */
    RFC("rfc");

    /** The VMware software and hardware initiators name themselves iqn.1998-01.com.vmware:... */
    private static final String VMWARE_IQN_PREFIX = "iqn.1998-01.com.vmware";

    private final String key;

    AbortFinishedTask(String key) {
        this.key = key;
    }

    /** The YAML spelling. */
    public String key() {
        return key;
    }

    /** The choice spelled {@code text} (case-insensitive), or null. */
    public static AbortFinishedTask parse(String text) {
        for (AbortFinishedTask a : values()) {
            if (a.key.equalsIgnoreCase(text.trim())) {
                return a;
            }
        }
        return null;
    }

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
