package org.vaaitarget.server.task;

import java.util.concurrent.CompletableFuture;
import org.vaaitarget.core.scsi.DataDirection;
import org.vaaitarget.core.scsi.ScsiStatus;
import org.vaaitarget.core.scsi.TaskAttribute;
import org.vaaitarget.core.scsi.TaskHandle;

/**
 * One SCSI task on this connection, from its SCSI Command PDU to its response. Touched on the event
 * loop only.
 *
 * <p>A task is submitted to the core when two things hold: its CmdSN turn has come
 * ({@link #delivered}, RFC 7143 3.2.2.1; immediate commands at once) and all of its Data-Out is in.
 * Data collection (R2Ts included) does not wait for the CmdSN turn, because unsolicited data for a
 * held command arrives anyway. Tasks may therefore reach the core out of CmdSN order when an earlier
 * write is still collecting data; SIMPLE task attributes allow that (SAM-5 8.6).
 */
final class IscsiTask {

    /**
     * RFC-free lifecycle of a task (DESIGN 7), moved through {@link #moveTo} so that an impossible step fails:
     * COLLECTING -> SUBMITTED -> (ABORTING ->) DONE, or COLLECTING -> DONE.
     */
    enum State {
        /** Waiting for Data-Out and/or its CmdSN turn. */
        COLLECTING,
        /** Handed to the core; waiting for its result. */
        SUBMITTED,
        /** Handed to the core and aborted (task management, logout grace, connection loss): no response is sent. */
        ABORTING,
        /** Response sent or suppressed; removed from the task table. */
        DONE;

        boolean mayMoveTo(State next) {
            return switch (this) {
                case COLLECTING -> next == SUBMITTED || next == DONE;
                case SUBMITTED, ABORTING -> next == ABORTING || next == DONE;
                case DONE -> false;
            };
        }
    }

    final int itt;
    final int cmdSn;
    final boolean immediate;
    final long lun;
    final byte[] cdb;
    /** Expected Data Transfer Length: unsigned 32-bit on the wire (RFC 7143 11.3.4), 0 to 2^32 - 1. */
    final long edtl;
    final DataDirection direction;
    final TaskAttribute attribute;
    final DataOutCollector collector;
    /** When non-null, the task fails with this status (and sense) instead of reaching the core. */
    final ScsiStatus earlyStatus;
    final byte[] earlySense;
    final CompletableFuture<Void> terminated = new CompletableFuture<>();

    private State state = State.COLLECTING;
    /** Its CmdSN turn has come (orthogonal to {@link #state}: data may still be collected either way). */
    boolean delivered;
    boolean occupiesWindowSlot;
    TaskHandle handle;
    /** Write bytes this task holds against the connection's budget (limits.writeBytesPerConnection). */
    long reservedBytes;
    /** System.nanoTime() of the command or of its latest accepted Data-Out (limits.dataOutTimeout). */
    long lastDataNanos = System.nanoTime();

    IscsiTask(int itt, int cmdSn, boolean immediate, long lun, byte[] cdb, long edtl, DataDirection direction,
              TaskAttribute attribute, DataOutCollector collector, ScsiStatus earlyStatus, byte[] earlySense) {
        this.itt = itt;
        this.cmdSn = cmdSn;
        this.immediate = immediate;
        this.lun = lun;
        this.cdb = cdb;
        this.edtl = edtl;
        this.direction = direction;
        this.attribute = attribute;
        this.collector = collector;
        this.earlyStatus = earlyStatus;
        this.earlySense = earlySense;
    }

    State state() {
        return state;
    }

    /** @throws IllegalStateException when {@link State} does not allow the step */
    void moveTo(State next) {
        if (!state.mayMoveTo(next)) {
            throw new IllegalStateException(this + " cannot become " + next);
        }
        state = next;
    }

    /** Handed to the core and not yet completed (aborted or not). */
    boolean inCore() {
        return state == State.SUBMITTED || state == State.ABORTING;
    }

    boolean dataComplete() {
        return collector == null || collector.complete();
    }

    boolean readyToRun() {
        return state == State.COLLECTING && delivered && dataComplete();
    }

    /** Still waiting for Data-Out that only the initiator can send. */
    boolean awaitingData() {
        return state == State.COLLECTING && !dataComplete();
    }

    int r2tCount() {
        return collector == null ? 0 : collector.r2tCount();
    }

    @Override
    public String toString() {
        return String.format("task itt=0x%08x cmdSn=%d lun=%x op=%02x %s", itt, cmdSn, lun,
                cdb.length > 0 ? cdb[0] & 0xFF : -1, state);
    }
}
