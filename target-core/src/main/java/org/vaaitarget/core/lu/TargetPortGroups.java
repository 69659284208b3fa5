package org.vaaitarget.core.lu;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The target port groups of a logical unit served by several gateways (implicit ALUA, SPC-5 5.16): one group
 * per gateway, its id equal to the gateway's relative target port identifier, one port each. An LU that has
 * this reports TPGS=01b in INQUIRY, a TARGET PORT GROUP designator in VPD 83h and answers REPORT TARGET PORT
 * GROUPS; the answer must be the same through every gateway, so implementations read it from where the
 * gateways share state.
 */
public interface TargetPortGroups {

    /** Every group, ascending by id; may need a round trip to shared state. */
    CompletionStage<List<PortGroup>> groups();

    /** The asymmetric access states (SPC-5 6.36, Table 171). */
    enum AccessState {
        ACTIVE_OPTIMIZED(0x0),
        ACTIVE_NON_OPTIMIZED(0x1),
        STANDBY(0x2),
        UNAVAILABLE(0x3),
        TRANSITIONING(0xF);

        private final int code;

        AccessState(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }
    }

    /**
     * @param id            TARGET PORT GROUP (the gateway id)
     * @param state         its asymmetric access state
     * @param relativePorts RELATIVE TARGET PORT IDENTIFIERs of its ports
     */
    record PortGroup(int id, AccessState state, List<Integer> relativePorts) {
        public PortGroup {
            relativePorts = List.copyOf(relativePorts);
        }
    }
}
