package org.vaaitarget.core.lu.pr;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.vaaitarget.core.lu.ua.UnitAttentions;
import org.vaaitarget.core.scsi.ItNexus;
import org.vaaitarget.core.scsi.sense.SenseReason;

/**
 * The PERSISTENT RESERVE OUT service actions (SPC-5 5.14.7-5.14.11), each applied under the LU's
 * {@link ReservationState} monitor together with its unit attentions, so that no command is checked
 * against a half-made change. The handler has validated the CDB and parameter list layout already.
 *
 * <p>PRGENERATION counts changes of the registrations (REGISTER, REGISTER AND IGNORE EXISTING KEY,
 * CLEAR, PREEMPT, PREEMPT AND ABORT, REGISTER AND MOVE), not RESERVE or RELEASE (SPC-5 6.15.2).
 */
public final class PrOutActions {
    /** Byte offsets in the basic parameter list, for INVALID FIELD IN PARAMETER LIST. */
    static final int SA_KEY_BYTE = 8;

    private final ReservationState s;
    private final UnitAttentions uas;
    private final ItNexus me;

    public PrOutActions(ReservationState state, UnitAttentions uas, ItNexus me) {
        this.s = state;
        this.uas = uas;
        this.me = me;
    }

    public PrOutcome apply(PrOutRequest r) {
        synchronized (s) {
            Long mine = s.keyOf(me);
            if (r.serviceAction() == PrOutRequest.REGISTER_AND_IGNORE) {
                return register(r);
            }
            if (r.serviceAction() == PrOutRequest.REGISTER) {
                // SPC-5 5.14.7: an unregistered nexus must send key 0; a registered one its own key.
                if (mine == null ? r.key() != 0 : mine != r.key()) {
                    return PrOutcome.CONFLICT;
                }
                return register(r);
            }
            if (mine == null || mine != r.key()) {
                return PrOutcome.CONFLICT;          // every other action needs a registered nexus's key
            }
            return switch (r.serviceAction()) {
                case PrOutRequest.RESERVE -> reserve(r.type());
                case PrOutRequest.RELEASE -> release(r.type());
                case PrOutRequest.CLEAR -> clear();
                case PrOutRequest.PREEMPT, PrOutRequest.PREEMPT_AND_ABORT -> preempt(r);
                case PrOutRequest.REGISTER_AND_MOVE -> move(r);
                default -> throw new IllegalArgumentException("service action " + r.serviceAction());
            };
        }
    }

    private PrOutcome register(PrOutRequest r) {
        boolean registered = s.keyOf(me) != null;
        if (r.saKey() == 0) {
            if (!registered) {
                return PrOutcome.goodNoChange();     // nothing to unregister (SPC-5 5.14.7)
            }
            remove(Set.of(me), true);                // APTPL is ignored when unregistering
        } else {
            if (!registered && s.registrationsLocked().size() >= ReservationState.MAX_REGISTRATIONS) {
                return PrOutcome.error(SenseReason.INSUFFICIENT_REGISTRATION_RESOURCES, -1);
            }
            s.registrationsLocked().put(me, r.saKey());
            s.setAptplLocked(r.aptpl());
        }
        s.bumpGenerationLocked();
        return PrOutcome.good(s.persistLocked());
    }

    private PrOutcome reserve(ReservationType type) {
        ReservationType current = s.typeLocked();
        if (current == null) {
            s.reserveLocked(me, type);
            return new PrOutcome(false, null, -1, Set.of(), true, s.persistLocked());
        }
        // SPC-5 5.14.10: the holder may repeat its reservation; anything else conflicts.
        return s.holdsLocked(me) && current == type ? PrOutcome.goodNoChange() : PrOutcome.CONFLICT;
    }

    private PrOutcome release(ReservationType type) {
        ReservationType current = s.typeLocked();
        if (current == null || !s.holdsLocked(me)) {
            return PrOutcome.goodNoChange();         // SPC-5 5.14.11.2.1: nothing this nexus holds
        }
        if (type != current) {
            return PrOutcome.error(SenseReason.INVALID_RELEASE_OF_PERSISTENT_RESERVATION, -1);
        }
        s.releaseLocked();
        if (current.registrantsOnly()) {
            raiseForRegistrants(SenseReason.RESERVATIONS_RELEASED, me);
        }
        return PrOutcome.good(s.persistLocked());
    }

    private PrOutcome clear() {
        raiseForRegistrants(SenseReason.RESERVATIONS_PREEMPTED, me);
        s.registrationsLocked().clear();
        s.releaseLocked();
        s.bumpGenerationLocked();
        return PrOutcome.good(s.persistLocked());
    }

    /** SPC-5 5.14.11.4: PREEMPT and PREEMPT AND ABORT. */
    private PrOutcome preempt(PrOutRequest r) {
        ReservationType current = s.typeLocked();
        long victim = r.saKey();
        boolean preemptsReservation = current != null
                && (current.allRegistrants() ? victim == 0 : Long.valueOf(victim).equals(s.keyOf(s.holderLocked())));
        if (!preemptsReservation && victim == 0) {
            return PrOutcome.error(SenseReason.INVALID_FIELD_IN_PARAMETER_LIST, SA_KEY_BYTE);
        }
        Set<ItNexus> removed = new LinkedHashSet<>();
        for (Map.Entry<ItNexus, Long> e : s.registrationsLocked().entrySet()) {
            boolean match = current != null && current.allRegistrants() && victim == 0 || e.getValue() == victim;
            if (match && !(preemptsReservation && e.getKey().equals(me))) {
                removed.add(e.getKey());
            }
        }
        if (removed.isEmpty() && !preemptsReservation) {
            return PrOutcome.CONFLICT;               // 5.14.11.4.4: no registration has that key
        }
        remove(removed, false);                      // preempting announces its own unit attentions
        for (ItNexus n : removed) {
            if (!n.equals(me)) {
                uas.raise(n, SenseReason.REGISTRATIONS_PREEMPTED);
            }
        }
        if (preemptsReservation) {
            s.reserveLocked(me, r.type());
            if (r.type() != current) {
                raiseForRegistrants(SenseReason.RESERVATIONS_RELEASED, me);
            }
        }
        s.bumpGenerationLocked();
        Set<ItNexus> aborted = r.serviceAction() == PrOutRequest.PREEMPT_AND_ABORT ? Set.copyOf(removed) : Set.of();
        return new PrOutcome(false, null, -1, aborted, preemptsReservation, s.persistLocked());
    }

    /** SPC-5 5.14.8: REGISTER AND MOVE; the handler has decoded the TransportID. */
    private PrOutcome move(PrOutRequest r) {
        ReservationType current = s.typeLocked();
        if (current == null || current.allRegistrants() || !me.equals(s.holderLocked())) {
            return PrOutcome.CONFLICT;
        }
        if (r.saKey() == 0) {
            return PrOutcome.error(SenseReason.INVALID_FIELD_IN_PARAMETER_LIST, SA_KEY_BYTE);
        }
        if (r.moveToPort() != me.relativeTargetPort()) {
            return PrOutcome.error(SenseReason.INVALID_FIELD_IN_PARAMETER_LIST, 18);
        }
        ItNexus to = r.moveTo();
        if (to.equals(me)) {
            return PrOutcome.error(SenseReason.INVALID_FIELD_IN_PARAMETER_LIST, 24);
        }
        Map<ItNexus, Long> regs = s.registrationsLocked();
        if (!regs.containsKey(to)) {
            if (regs.size() >= ReservationState.MAX_REGISTRATIONS) {
                return PrOutcome.error(SenseReason.INSUFFICIENT_REGISTRATION_RESOURCES, -1);
            }
            regs.put(to, r.saKey());
        }
        s.reserveLocked(to, current);
        if (r.unreg()) {
            regs.remove(me);
        }
        s.setAptplLocked(r.aptpl());
        s.bumpGenerationLocked();
        return PrOutcome.good(s.persistLocked());
    }

    /**
     * Removes registrations; a removed holder loses the reservation, and an all registrants reservation
     * ends with its last registrant (SPC-5 5.14.11.2.2). Releasing a registrants only reservation
     * because its holder unregistered tells the other registrants RESERVATIONS RELEASED when
     * {@code announce} is set.
     */
    private void remove(Set<ItNexus> nexuses, boolean announce) {
        ReservationType type = s.typeLocked();
        ItNexus holder = s.holderLocked();
        nexuses.forEach(s.registrationsLocked()::remove);
        if (type == null) {
            return;
        }
        if (type.allRegistrants() ? s.registrationsLocked().isEmpty() : nexuses.contains(holder)) {
            s.releaseLocked();
            if (announce && type.registrantsOnly() && !type.allRegistrants()) {
                raiseForRegistrants(SenseReason.RESERVATIONS_RELEASED, me);
            }
        }
    }

    private void raiseForRegistrants(SenseReason reason, ItNexus except) {
        for (ItNexus n : s.registrationsLocked().keySet()) {
            if (!n.equals(except)) {
                uas.raise(n, reason);
            }
        }
    }
}
