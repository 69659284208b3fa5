package org.vaaitarget.server.app;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.vaaitarget.server.login.AddressRange;
import org.vaaitarget.server.login.AuthConfig;
import org.vaaitarget.server.login.ChapCredentials;
import org.vaaitarget.server.login.InitiatorRule;

/**
 * Builds and checks the authentication and access parts of the configuration (YAML {@code auth},
 * {@code discoveryAuth}, {@code allow}; flags {@code --chap}, {@code --mutual-chap}, {@code --allow}).
 * Messages are relative to the entry (the caller prefixes where) and never contain a secret.
 */
final class AccessConfigs {
    /** {@code {user: ..., secret: ...}}. */
    record ChapEntry(String user, String secret) {
    }

    /** {@code {chap: {...}, mutualChap: {...}}}. */
    record AuthEntry(ChapEntry chap, ChapEntry mutualChap) {
    }

    private AccessConfigs() {
    }

    /** @param where the key path of the entry, e.g. {@code config targets[0].auth} */
    static AuthConfig auth(AuthEntry entry, String where) throws ConfigException {
        if (entry == null) {
            return AuthConfig.NONE;
        }
        ChapCredentials chap = chap(entry.chap(), where + ".chap");
        ChapCredentials mutual = chap(entry.mutualChap(), where + ".mutualChap");
        return auth(chap, mutual, where + ".chap", where + ".mutualChap");
    }

    static AuthConfig auth(ChapCredentials chap, ChapCredentials mutual, String chapWhere, String mutualWhere)
            throws ConfigException {
        if (mutual != null && chap == null) {
            throw new ConfigException(mutualWhere + ": mutual CHAP needs one-way CHAP too; add " + chapWhere
                    + " (the initiator's user and secret)");
        }
        if (mutual != null && mutual.sameSecretAs(chap)) {
            throw new ConfigException(mutualWhere + ".secret: must differ from " + chapWhere
                    + ".secret (RFC 7143 9.2.1: one secret must not authenticate both initiator and target)");
        }
        return new AuthConfig(chap, mutual);
    }

    static ChapCredentials chap(ChapEntry e, String where) throws ConfigException {
        if (e == null) {
            return null;
        }
        if (e.user() == null || e.user().isEmpty()) {
            throw new ConfigException(where + ".user: missing; give the CHAP user name (CHAP_N)");
        }
        if (e.secret() == null) {
            throw new ConfigException(where + ".secret: missing; give a CHAP secret of 12 to 255 bytes");
        }
        return credentials(e.user(), e.secret(), where);
    }

    /** {@code USER:SECRET}; the secret is what follows the LAST ':' (user names are often IQNs, which have ':'). */
    static ChapCredentials flag(String text, String flag) throws ConfigException {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new ConfigException(flag + ": expected USER:SECRET (the secret follows the last ':')");
        }
        return credentials(text.substring(0, colon), text.substring(colon + 1), flag);
    }

    private static ChapCredentials credentials(String user, String secret, String where) throws ConfigException {
        try {
            return ChapCredentials.of(user, secret);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where + ": " + e.getMessage());
        }
    }

    /**
     * A target's {@code allow} list: each item an initiator name, or {@code {initiator: NAME, address: CIDR}}.
     */
    static List<InitiatorRule> allow(List<JsonNode> items, String where) throws ConfigException {
        List<InitiatorRule> rules = new ArrayList<>();
        if (items == null) {
            return rules;
        }
        for (int i = 0; i < items.size(); i++) {
            String at = where + "[" + i + "]";
            JsonNode item = items.get(i);
            if (item != null && item.isTextual()) {
                rules.add(InitiatorRule.named(initiatorName(item.asText(), at)));
            } else if (item != null && item.isObject()) {
                rules.add(rule(item, at));
            } else {
                throw new ConfigException(at + ": expected an initiator name or {initiator: NAME, address: CIDR}");
            }
        }
        return rules;
    }

    private static InitiatorRule rule(JsonNode item, String at) throws ConfigException {
        for (Iterator<String> names = item.fieldNames(); names.hasNext(); ) {
            String key = names.next();
            if (!key.equals("initiator") && !key.equals("address")) {
                throw new ConfigException(at + "." + key + ": unknown key (known keys here: address, initiator)");
            }
        }
        JsonNode name = item.get("initiator");
        if (name == null || !name.isTextual()) {
            throw new ConfigException(at + ".initiator: missing; give the initiator name (iqn...)");
        }
        JsonNode address = item.get("address");
        AddressRange range = null;
        if (address != null) {
            if (!address.isTextual()) {
                throw new ConfigException(at + ".address: expected an address or CIDR block like 10.0.0.0/8");
            }
            try {
                range = AddressRange.parse(address.asText());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(at + ".address: " + e.getMessage());
            }
        }
        return new InitiatorRule(initiatorName(name.asText(), at + ".initiator"), range);
    }

    /** A LUN's {@code allow} list of initiator names; null when absent (visible to all). */
    static Set<String> lunAllow(List<String> names, String where) throws ConfigException {
        if (names == null) {
            return null;
        }
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < names.size(); i++) {
            out.add(initiatorName(names.get(i), where + "[" + i + "]"));
        }
        return out;
    }

    static String initiatorName(String name, String where) throws ConfigException {
        if (name == null) {
            throw new ConfigException(where + ": missing initiator name");
        }
        try {
            IscsiNames.requireValid(name);
        } catch (ConfigException e) {
            throw e.at(where);
        }
        return name;
    }

    /**
     * RFC 7143 9.2.1: "any CHAP secret used for initiator authentication MUST NOT be configured for
     * authentication of any target". Checks that across all entries.
     *
     * @param auths key path to its configuration
     */
    static void checkSecretsNotShared(Map<String, AuthConfig> auths) throws ConfigException {
        Map<String, ChapCredentials> initiatorSecrets = new LinkedHashMap<>();
        for (Map.Entry<String, AuthConfig> e : auths.entrySet()) {
            if (e.getValue().chap() != null) {
                initiatorSecrets.put(e.getKey() + ".chap", e.getValue().chap());
            }
        }
        for (Map.Entry<String, AuthConfig> e : auths.entrySet()) {
            ChapCredentials mutual = e.getValue().mutualChap();
            for (Map.Entry<String, ChapCredentials> i : initiatorSecrets.entrySet()) {
                if (mutual != null && mutual.sameSecretAs(i.getValue())) {
                    throw new ConfigException(e.getKey() + ".mutualChap.secret: the same secret authenticates an initiator in "
                            + i.getKey() + "; use a different one (RFC 7143 9.2.1)");
                }
            }
        }
    }
}
