package org.vaaitarget.server.login;

import java.util.List;
import java.util.function.Function;
import org.vaaitarget.server.session.TargetOffer;

/**
 * One row of the text key table (RFC 7143 13, 6.2): how a key is negotiated and what we answer.
 *
 * @param name         key name
 * @param phase        where the key may appear
 * @param scope        connection or session wide
 * @param sender       who may send it
 * @param rule         result function
 * @param min          numeric keys: smallest legal value
 * @param max          numeric keys: largest legal value
 * @param values       LIST keys: the values we support, best first; enumerated declaratives: the legal values
 * @param defaultValue the RFC default (value in force when nobody sends the key), or null
 * @param ours         our value (offer or declaration) for MIN/MAX/AND/OR/DECLARATIVE-we-declare keys, or null
 * @param irrelevantInDiscovery answered "Irrelevant" in discovery sessions (RFC 7143: "Irrelevant when:
 *                     SessionType=Discovery")
 */
public record TextKey(String name, Phase phase, Scope scope, Sender sender, Rule rule, long min, long max,
                      List<String> values, String defaultValue, Function<TargetOffer, String> ours,
                      boolean irrelevantInDiscovery) {

    /** Where a key may be sent. */
    public enum Phase {
        /** Security Negotiation stage only (RFC 7143 6.3.1). */
        SECURITY,
        /** Operational keys: operational stage (tolerated in the security stage). */
        OPERATIONAL,
        /** Declarations valid in any login stage (names, aliases, session type). */
        ANY_LOGIN_STAGE,
        /** Full Feature Phase only (Text Request), e.g. SendTargets. */
        FULL_FEATURE
    }

    public enum Scope { CONNECTION, SESSION }

    public enum Sender { INITIATOR, TARGET, BOTH }

    /** Result functions (RFC 7143 6.2.2 and 6.2.1). */
    public enum Rule {
        /** Each side declares its own value; no result is computed. */
        DECLARATIVE,
        /** Numerical, result is the smaller value. */
        MIN,
        /** Numerical, result is the larger value. */
        MAX,
        /** Boolean, result is the AND. */
        AND,
        /** Boolean, result is the OR. */
        OR,
        /** The responder picks the first offered value it supports. */
        LIST,
        /** Always answered "Irrelevant" (the marker intervals: markers are never used). */
        IRRELEVANT
    }

    public boolean numeric() {
        return rule == Rule.MIN || rule == Rule.MAX || (rule == Rule.DECLARATIVE && max > 0);
    }

    public boolean bool() {
        return rule == Rule.AND || rule == Rule.OR;
    }
}
