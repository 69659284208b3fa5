package org.vaaitarget.core.scsi;

/** SAM-5 task attribute (iSCSI ATTR field values 0..4; 0 = untagged is treated as SIMPLE). */
public enum TaskAttribute {
    SIMPLE,
    ORDERED,
    HEAD_OF_QUEUE,
    ACA;

    /** Maps the iSCSI SCSI Command ATTR field (RFC 7143 11.3.1.3). */
    public static TaskAttribute fromIscsi(int attr) {
        return switch (attr & 0x7) {
            case 2 -> ORDERED;
            case 3 -> HEAD_OF_QUEUE;
            case 4 -> ACA;
            default -> SIMPLE;
        };
    }
}
