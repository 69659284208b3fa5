package org.vaaitarget.server.login;

import java.net.InetAddress;
import java.util.Locale;
import java.util.Objects;

/**
 * One entry of a target's allow list: an initiator name (compared case-insensitively: iSCSI names are
 * normalized to lower case, RFC 7143 4.2.7.2) and optionally the source addresses it may come from.
 *
 * @param initiator the InitiatorName
 * @param from      where it may connect from, or null for anywhere
 */
public record InitiatorRule(String initiator, AddressRange from) {
    public InitiatorRule {
        Objects.requireNonNull(initiator, "initiator");
    }

    public static InitiatorRule named(String initiator) {
        return new InitiatorRule(initiator, null);
    }

    public boolean matches(String initiatorName, InetAddress address) {
        return initiator.toLowerCase(Locale.ROOT).equals(initiatorName.toLowerCase(Locale.ROOT))
                && (from == null || from.contains(address));
    }
}
