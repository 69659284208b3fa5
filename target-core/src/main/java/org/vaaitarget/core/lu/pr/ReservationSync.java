package org.vaaitarget.core.lu.pr;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.vaaitarget.core.lu.ua.UnitAttentions;

/**
 * Keeps one {@link ReservationState} the same on every gateway serving a shared LU: each change runs against the
 * cluster's current state and is stored back before it is answered, and the other gateways have taken it in (and
 * their nexuses' unit attentions) by then.
 */
public interface ReservationSync {

    /**
     * Loads the shared state into {@code state}, runs {@code change} under the state's monitor, stores the result
     * when it changed anything, and delivers the unit attentions {@code change} raised in {@code staged}: those of
     * this gateway's nexuses to {@code local}, the others to their gateways.
     *
     * @return the change's result, once every gateway knows the new state
     */
    <T> CompletableFuture<T> change(ReservationState state, Supplier<T> change, UnitAttentions staged,
                                    UnitAttentions local);
}
