package org.vaaitarget.core.scsi;

import java.util.Objects;

/**
 * An I_T nexus: one initiator port talking to one target port (SAM-5 4.6). For iSCSI the initiator
 * port name is "{@code <initiator iqn>,i,0x<ISID>}" and the target port name is
 * "{@code <target iqn>,t,0x<TPGT>}" (RFC 7143 4.4.1). Unit attentions and reservations are kept
 * per nexus, so two sessions of the same initiator with different ISIDs are different nexuses.
 *
 * @param initiatorName iSCSI initiator name (IQN/EUI), used for logging and ACLs
 * @param isid          the session's ISID as 12 hex digits, lower case
 * @param targetName    iSCSI target name
 * @param relativeTargetPort relative target port identifier (1-based) of the portal group
 */
public record ItNexus(String initiatorName, String isid, String targetName, int relativeTargetPort) {

    public ItNexus {
        Objects.requireNonNull(initiatorName, "initiatorName");
        Objects.requireNonNull(isid, "isid");
        Objects.requireNonNull(targetName, "targetName");
    }

    /** The SCSI initiator port name, "iqn...,i,0x<isid>". */
    public String initiatorPortName() {
        return initiatorName + ",i,0x" + isid;
    }

    /** A nexus for commands the target issues to itself (EXTENDED COPY, internal reads). */
    public static ItNexus internal(String targetName) {
        return new ItNexus("internal", "000000000000", targetName, 0);
    }

    @Override
    public String toString() {
        return initiatorPortName() + " -> " + targetName;
    }
}
