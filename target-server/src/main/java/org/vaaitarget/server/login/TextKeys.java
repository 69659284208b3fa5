package org.vaaitarget.server.login;

import static org.vaaitarget.server.login.TextKey.Phase.ANY_LOGIN_STAGE;
import static org.vaaitarget.server.login.TextKey.Phase.FULL_FEATURE;
import static org.vaaitarget.server.login.TextKey.Phase.OPERATIONAL;
import static org.vaaitarget.server.login.TextKey.Phase.SECURITY;
import static org.vaaitarget.server.login.TextKey.Rule.AND;
import static org.vaaitarget.server.login.TextKey.Rule.DECLARATIVE;
import static org.vaaitarget.server.login.TextKey.Rule.IRRELEVANT;
import static org.vaaitarget.server.login.TextKey.Rule.LIST;
import static org.vaaitarget.server.login.TextKey.Rule.MAX;
import static org.vaaitarget.server.login.TextKey.Rule.MIN;
import static org.vaaitarget.server.login.TextKey.Rule.OR;
import static org.vaaitarget.server.login.TextKey.Scope.CONNECTION;
import static org.vaaitarget.server.login.TextKey.Scope.SESSION;
import static org.vaaitarget.server.login.TextKey.Sender.BOTH;
import static org.vaaitarget.server.login.TextKey.Sender.INITIATOR;
import static org.vaaitarget.server.login.TextKey.Sender.TARGET;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.vaaitarget.server.login.TextKey.Phase;
import org.vaaitarget.server.login.TextKey.Rule;
import org.vaaitarget.server.login.TextKey.Scope;
import org.vaaitarget.server.login.TextKey.Sender;
import org.vaaitarget.server.session.TargetOffer;

/** THE table of iSCSI text keys (RFC 7143 13; iSCSIProtocolLevel: RFC 7144 2.1). */
public final class TextKeys {
    public static final String HEADER_DIGEST = "HeaderDigest";
    public static final String DATA_DIGEST = "DataDigest";
    public static final String MAX_CONNECTIONS = "MaxConnections";
    public static final String SEND_TARGETS = "SendTargets";
    public static final String TARGET_NAME = "TargetName";
    public static final String INITIATOR_NAME = "InitiatorName";
    public static final String TARGET_ALIAS = "TargetAlias";
    public static final String INITIATOR_ALIAS = "InitiatorAlias";
    public static final String TARGET_ADDRESS = "TargetAddress";
    public static final String TARGET_PORTAL_GROUP_TAG = "TargetPortalGroupTag";
    public static final String INITIAL_R2T = "InitialR2T";
    public static final String IMMEDIATE_DATA = "ImmediateData";
    public static final String MAX_RECV_DATA_SEGMENT_LENGTH = "MaxRecvDataSegmentLength";
    public static final String MAX_BURST_LENGTH = "MaxBurstLength";
    public static final String FIRST_BURST_LENGTH = "FirstBurstLength";
    public static final String DEFAULT_TIME2WAIT = "DefaultTime2Wait";
    public static final String DEFAULT_TIME2RETAIN = "DefaultTime2Retain";
    public static final String MAX_OUTSTANDING_R2T = "MaxOutstandingR2T";
    public static final String DATA_PDU_IN_ORDER = "DataPDUInOrder";
    public static final String DATA_SEQUENCE_IN_ORDER = "DataSequenceInOrder";
    public static final String ERROR_RECOVERY_LEVEL = "ErrorRecoveryLevel";
    public static final String SESSION_TYPE = "SessionType";
    public static final String AUTH_METHOD = "AuthMethod";

    private static final long MAX_24 = (1 << 24) - 1;
    private static final Map<String, TextKey> TABLE = new LinkedHashMap<>();

    static {
        list(HEADER_DIGEST, CONNECTION, "None", "CRC32C", "None");
        list(DATA_DIGEST, CONNECTION, "None", "CRC32C", "None");
        numeric(MAX_CONNECTIONS, SESSION, MIN, 1, 65535, "1", o -> "1", true);
        add(SEND_TARGETS, FULL_FEATURE, SESSION, INITIATOR, DECLARATIVE, List.of(), null);
        add(TARGET_NAME, ANY_LOGIN_STAGE, SESSION, BOTH, DECLARATIVE, List.of(), null);
        add(INITIATOR_NAME, ANY_LOGIN_STAGE, SESSION, INITIATOR, DECLARATIVE, List.of(), null);
        add(TARGET_ALIAS, ANY_LOGIN_STAGE, SESSION, TARGET, DECLARATIVE, List.of(), null);
        add(INITIATOR_ALIAS, ANY_LOGIN_STAGE, SESSION, INITIATOR, DECLARATIVE, List.of(), null);
        add(TARGET_ADDRESS, ANY_LOGIN_STAGE, SESSION, TARGET, DECLARATIVE, List.of(), null);
        add(TARGET_PORTAL_GROUP_TAG, ANY_LOGIN_STAGE, SESSION, TARGET, DECLARATIVE, List.of(), null);
        bool(INITIAL_R2T, OR, "Yes", "No");             // we accept unsolicited data (open-iscsi: No)
        bool(IMMEDIATE_DATA, AND, "Yes", "Yes");
        TABLE.put(MAX_RECV_DATA_SEGMENT_LENGTH, new TextKey(MAX_RECV_DATA_SEGMENT_LENGTH, OPERATIONAL, CONNECTION,
                BOTH, DECLARATIVE, 512, MAX_24, List.of(), "8192",
                o -> Integer.toString(o.maxRecvDataSegmentLength()), false));
        numeric(MAX_BURST_LENGTH, SESSION, MIN, 512, MAX_24, "262144",
                o -> Integer.toString(o.maxBurstLength()), true);
        numeric(FIRST_BURST_LENGTH, SESSION, MIN, 512, MAX_24, "65536",
                o -> Integer.toString(o.firstBurstLength()), true);
        numeric(DEFAULT_TIME2WAIT, SESSION, MAX, 0, 3600, "2", o -> "2", false);
        numeric(DEFAULT_TIME2RETAIN, SESSION, MIN, 0, 3600, "20", o -> "20", false);
        numeric(MAX_OUTSTANDING_R2T, SESSION, MIN, 1, 65535, "1",
                o -> Integer.toString(o.maxOutstandingR2T()), true);
        bool(DATA_PDU_IN_ORDER, OR, "Yes", "Yes");       // we require in-order Data-Out PDUs
        bool(DATA_SEQUENCE_IN_ORDER, OR, "Yes", "Yes");
        numeric(ERROR_RECOVERY_LEVEL, SESSION, MIN, 0, 2, "0", o -> "0", false);
        add(SESSION_TYPE, ANY_LOGIN_STAGE, SESSION, INITIATOR, DECLARATIVE, List.of("Discovery", "Normal"), "Normal");
        add(AUTH_METHOD, SECURITY, CONNECTION, BOTH, LIST, List.of("None"), "None");
        bool("OFMarker", AND, "No", "No");               // markers: never used
        bool("IFMarker", AND, "No", "No");
        add("OFMarkInt", OPERATIONAL, CONNECTION, BOTH, IRRELEVANT, List.of(), "2048");
        add("IFMarkInt", OPERATIONAL, CONNECTION, BOTH, IRRELEVANT, List.of(), "2048");
        TABLE.put("TaskReporting", new TextKey("TaskReporting", OPERATIONAL, SESSION, BOTH, LIST, 0, 0,
                List.of("RFC3720"), "RFC3720", null, true));
        numeric("iSCSIProtocolLevel", SESSION, MIN, 0, 31, "0", o -> "1", false); // RFC 7144 2.1
    }

    private TextKeys() {
    }

    /** The row for a key name, or null for keys we do not know (answered NotUnderstood). */
    public static TextKey get(String name) {
        return TABLE.get(name);
    }

    /** All rows, in RFC order. */
    public static List<TextKey> all() {
        return List.copyOf(TABLE.values());
    }

    private static void add(String name, Phase phase, Scope scope, Sender sender, Rule rule, List<String> values,
                            String dflt) {
        TABLE.put(name, new TextKey(name, phase, scope, sender, rule, 0, 0, values, dflt, null, false));
    }

    private static void list(String name, Scope scope, String dflt, String... supported) {
        TABLE.put(name, new TextKey(name, OPERATIONAL, scope, BOTH, LIST, 0, 0, List.of(supported), dflt, null,
                false));
    }

    private static void numeric(String name, Scope scope, Rule rule, long min, long max, String dflt,
                                Function<TargetOffer, String> ours, boolean irrelevantInDiscovery) {
        TABLE.put(name, new TextKey(name, OPERATIONAL, scope, BOTH, rule, min, max, List.of(), dflt, ours,
                irrelevantInDiscovery));
    }

    private static void bool(String name, Rule rule, String dflt, String ours) {
        boolean marker = name.endsWith("Marker");
        TABLE.put(name, new TextKey(name, OPERATIONAL, marker ? CONNECTION : SESSION, BOTH, rule, 0, 0, List.of(), dflt, o -> ours,
                !marker));
    }
}
