package org.vaaitarget.server.metrics;

import org.vaaitarget.server.pdu.LoginStatus;

/**
 * What the iSCSI layer reports for metrics: logins, connections, task management and TASK SET FULL
 * answers given before a command reaches the SCSI engine. Called on event loops: implementations must
 * be cheap and never block. {@link #NONE} (metrics off) does nothing.
 */
public interface ServerEvents {

    ServerEvents NONE = new ServerEvents() {
    };

    /** A login ended with this status: {@link LoginStatus#SUCCESS} or the status of the failure response. */
    default void login(LoginStatus status) {
    }

    /** A TCP connection was admitted (within limits.maxConnections). */
    default void connectionOpened() {
    }

    /** An admitted connection closed. */
    default void connectionClosed() {
    }

    /**
     * A task management function was answered.
     *
     * @param function the function code (RFC 7143 11.5.1)
     * @param response the response's name, e.g. {@code FUNCTION_COMPLETE}
     */
    default void taskManagement(int function, String response) {
    }

    /** A command got TASK SET FULL from the iSCSI layer (its write did not fit the connection's buffer). */
    default void taskSetFull() {
    }
}
