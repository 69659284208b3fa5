package org.vaaitarget.core.spc.xcopy;

import org.vaaitarget.core.scsi.ScsiStatus;

/**
 * What RECEIVE COPY RESULTS reports about one identified EXTENDED COPY: its state, progress and, for
 * a failed one, the status and sense it ended with. Written by the copying task, read by others.
 */
final class CopyRecord {

    /** COPY MANAGER STATUS values (SPC-4 6.18.3). */
    enum State {
        IN_PROGRESS(0x00), COMPLETED_GOOD(0x01), COMPLETED_WITH_ERRORS(0x02);

        final int code;

        State(int code) {
            this.code = code;
        }
    }

    private final int listId;
    private final int segments;
    private State state = State.IN_PROGRESS;
    private long bytes;
    private int segmentsProcessed;
    private ScsiStatus status;
    private byte[] sense = new byte[0];

    CopyRecord(int listId, int segments) {
        this.listId = listId;
        this.segments = segments;
    }

    int listId() {
        return listId;
    }

    synchronized void copied(long n) {
        bytes += n;
    }

    synchronized void completed(ScsiStatus finalStatus, byte[] finalSense) {
        status = finalStatus;
        sense = finalSense == null ? new byte[0] : finalSense.clone();
        state = finalStatus == ScsiStatus.GOOD ? State.COMPLETED_GOOD : State.COMPLETED_WITH_ERRORS;
        if (state == State.COMPLETED_GOOD) {
            segmentsProcessed = segments;
        }
    }

    synchronized State state() {
        return state;
    }

    synchronized long bytes() {
        return bytes;
    }

    synchronized int segmentsProcessed() {
        return segmentsProcessed;
    }

    /** The final status, null while in progress. */
    synchronized ScsiStatus status() {
        return status;
    }

    synchronized byte[] sense() {
        return sense.clone();
    }
}
