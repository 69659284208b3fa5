package org.vaaitarget.server.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.vaaitarget.server.session.ConnectionState;
import org.vaaitarget.core.scsi.DataDirection;
import org.vaaitarget.core.scsi.TaskAttribute;

/** The connection and task state tables allow the protocol's steps and refuse the impossible ones. */
class ConnectionStateTest {

    @Test
    void theLogoutAndShutdownPathsAreLegal() {
        ConnectionState s = ConnectionState.FULL_FEATURE;
        s = s.check(ConnectionState.DRAINING);
        s = s.check(ConnectionState.LOGOUT_PENDING);
        s = s.check(ConnectionState.LOGOUT_PENDING);     // a later Logout Request replaces the pending one
        s = s.check(ConnectionState.LOGGED_OUT);
        s = s.check(ConnectionState.CLOSED);
        assertEquals(ConnectionState.CLOSED, s);
        for (ConnectionState any : ConnectionState.values()) {
            if (any != ConnectionState.CLOSED) {
                assertTrue(any.mayMoveTo(ConnectionState.CLOSED), any + " may close");
            }
        }
    }

    @Test
    void closedIsTerminalAndNoStateGoesBackToFullFeature() {
        for (ConnectionState next : ConnectionState.values()) {
            assertFalse(ConnectionState.CLOSED.mayMoveTo(next), "CLOSED -> " + next);
            assertFalse(next.mayMoveTo(ConnectionState.FULL_FEATURE), next + " -> FULL_FEATURE");
        }
        assertThrows(IllegalStateException.class, () -> ConnectionState.CLOSED.check(ConnectionState.CLOSED));
        assertThrows(IllegalStateException.class,
                () -> ConnectionState.FULL_FEATURE.check(ConnectionState.LOGGED_OUT));   // no response before the request
        assertThrows(IllegalStateException.class, () -> ConnectionState.LOGOUT_PENDING.check(ConnectionState.DRAINING));
    }

    @Test
    void aTaskMovesForwardOnly() {
        IscsiTask t = new IscsiTask(1, 1, false, 0, new byte[6], 0, DataDirection.NONE, TaskAttribute.SIMPLE,
                null, null, null);
        assertEquals(IscsiTask.State.COLLECTING, t.state());
        t.moveTo(IscsiTask.State.SUBMITTED);
        assertTrue(t.inCore());
        t.moveTo(IscsiTask.State.ABORTING);
        assertTrue(t.inCore());
        t.moveTo(IscsiTask.State.DONE);
        assertFalse(t.inCore());
        assertThrows(IllegalStateException.class, () -> t.moveTo(IscsiTask.State.SUBMITTED));
        IscsiTask u = new IscsiTask(2, 2, false, 0, new byte[6], 0, DataDirection.NONE, TaskAttribute.SIMPLE,
                null, null, null);
        assertThrows(IllegalStateException.class, () -> u.moveTo(IscsiTask.State.ABORTING));  // never reached the core
    }
}
