package org.vaaitarget.server.login;

import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.vaaitarget.core.dispatch.LunMask;

/**
 * Who may use one target: its authentication, its allow list (empty: every initiator) and the LUNs
 * each initiator sees (LUN masking; a LUN absent from {@code lunAllow} is visible to everyone allowed in).
 *
 * @param auth     authentication of normal sessions to this target
 * @param allow    initiators allowed to log in; empty allows all
 * @param lunAllow LUN number to the initiator names that see it
 */
public record TargetAccess(AuthConfig auth, List<InitiatorRule> allow, Map<Integer, Set<String>> lunAllow) {
    public static final TargetAccess OPEN = new TargetAccess(AuthConfig.NONE, List.of(), Map.of());

    public TargetAccess {
        auth = auth == null ? AuthConfig.NONE : auth;
        allow = List.copyOf(allow);
        lunAllow = lunAllow.entrySet().stream().collect(Collectors.toUnmodifiableMap(Map.Entry::getKey,
                e -> e.getValue().stream().map(n -> n.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet())));
    }

    /** Whether the initiator may log in to (and discover) this target from {@code address}. */
    public boolean allows(String initiatorName, InetAddress address) {
        return allow.isEmpty() || allow.stream().anyMatch(r -> r.matches(initiatorName, address));
    }

    /** The LUN mask for the core: a LUN with an allow list is visible only to the initiators on it. */
    public LunMask lunMask() {
        if (lunAllow.isEmpty()) {
            return LunMask.NONE;
        }
        return (nexus, lun) -> {
            Set<String> names = lunAllow.get(lun);
            return names == null || names.contains(nexus.initiatorName().toLowerCase(Locale.ROOT));
        };
    }
}
