package org.vaaitarget.server.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vaaitarget.server.testing.Contexts.INITIATOR;
import static org.vaaitarget.server.testing.Contexts.TARGET;
import static org.vaaitarget.server.testing.Requests.login;

import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vaaitarget.server.pdu.Pdu;
import org.vaaitarget.server.session.NegotiatedParameters;
import org.vaaitarget.server.session.Session;
import org.vaaitarget.server.testing.Contexts;
import org.vaaitarget.server.testing.Requests;

/** Negotiation outcomes per rule type and for real initiators' key sets (RFC 7143 6.2, 13). */
class LoginNegotiationTest {
    private final LoginHarness h = new LoginHarness(Contexts.oneTarget());

    @AfterEach
    void noLeftovers() {
        assertFalse(h.channel.finish());
        if (h.successor != null) {
            h.successor.received.forEach(o -> ((Pdu) o).release());
        }
    }

    private Map<String, String> security() {
        return h.keys(login(0, 1, "InitiatorName", INITIATOR, "SessionType", "Normal", "TargetName", TARGET,
                "AuthMethod", "None"));
    }

    @Test
    void openIscsiDefaultsAreAccepted() {
        Map<String, String> sec = security();
        assertEquals("None", sec.get("AuthMethod"));
        assertEquals("1", sec.get("TargetPortalGroupTag"));
        assertEquals("disk1", sec.get("TargetAlias"));
        Pdu rsp = h.exchange(login(1, 3, "HeaderDigest", "None", "DataDigest", "None", "MaxConnections", "1",
                "InitialR2T", "No", "ImmediateData", "Yes", "MaxRecvDataSegmentLength", "262144",
                "MaxBurstLength", "16776192", "FirstBurstLength", "262144", "DefaultTime2Wait", "2",
                "DefaultTime2Retain", "0", "MaxOutstandingR2T", "1", "DataPDUInOrder", "Yes",
                "DataSequenceInOrder", "Yes", "ErrorRecoveryLevel", "0", "IFMarker", "No", "OFMarker", "No"));
        Map<String, String> op = Requests.pairs(rsp);
        assertEquals(0x87, rsp.flags()); // T=1, CSG=1, NSG=3
        assertNotEquals(0, rsp.u16(14), "TSIH in the final response");
        int finalStatSn = rsp.u32(24);
        rsp.release();
        assertEquals("None", op.get("HeaderDigest"));
        assertEquals("No", op.get("InitialR2T"));
        assertEquals("Yes", op.get("ImmediateData"));
        assertEquals("262144", op.get("MaxRecvDataSegmentLength"));
        assertEquals("16776192", op.get("MaxBurstLength"));
        assertEquals("262144", op.get("FirstBurstLength"));
        assertEquals("0", op.get("DefaultTime2Retain"));
        assertEquals("1", op.get("MaxOutstandingR2T"));
        assertEquals("0", op.get("ErrorRecoveryLevel"));
        assertEquals("No", op.get("IFMarker"));
        assertEquals("1", op.get("MaxConnections"));

        Session s = h.successor.session;
        assertFalse(h.successor.discovery);
        NegotiatedParameters p = s.params();
        assertFalse(p.initialR2T());
        assertTrue(p.immediateData());
        assertEquals(262144, p.maxXmitDataSegmentLength());
        assertEquals(262144, p.maxRecvDataSegmentLength());
        assertEquals(16776192, p.maxBurstLength());
        assertEquals(262144, p.firstBurstLength());
        assertEquals(finalStatSn + 1, s.initialStatSn());
        assertEquals(10, s.initialExpCmdSn());
        assertEquals("00023d000001", s.isid());
        assertEquals(INITIATOR, s.initiatorName());
        assertEquals(TARGET, s.target().name());
        assertEquals(262144, h.framing.limits().maxRecvDataSegmentLength());
        assertFalse(h.framing.digests().header());
        assertEquals(s, h.context.sessions().find(INITIATOR, "00023d000001", TARGET));
        assertNull(h.channel.pipeline().get(LoginHandler.class));
    }

    @Test
    void esxiLikeKeySetInOneOperationalStage() {
        Map<String, String> op = h.keys(login(1, 3, "InitiatorName", "iqn.1998-01.com.vmware:esx1-4b3c",
                "InitiatorAlias", "esx1", "SessionType", "Normal", "TargetName", TARGET,
                "HeaderDigest", "None", "DataDigest", "None", "ErrorRecoveryLevel", "0", "InitialR2T", "Yes",
                "ImmediateData", "Yes", "MaxBurstLength", "262144", "FirstBurstLength", "65536",
                "MaxOutstandingR2T", "1", "MaxConnections", "1", "DataPDUInOrder", "Yes",
                "DataSequenceInOrder", "Yes", "DefaultTime2Wait", "2", "DefaultTime2Retain", "0",
                "MaxRecvDataSegmentLength", "131072", "IFMarker", "No", "OFMarker", "No"));
        assertEquals("Yes", op.get("InitialR2T"));
        assertEquals("65536", op.get("FirstBurstLength"));
        assertEquals("1", op.get("TargetPortalGroupTag"));
        NegotiatedParameters p = h.successor.session.params();
        assertTrue(p.initialR2T());
        assertEquals(131072, p.maxXmitDataSegmentLength());
        assertEquals(65536, p.firstBurstLength());
        assertEquals("esx1", h.successor.session.initiatorAlias());
    }

    @Test
    void eachResultFunction() {
        security();
        Map<String, String> op = h.keys(login(1, 3,
                "MaxBurstLength", "99999999", // out of range (> 2^24-1): Reject
                "FirstBurstLength", "1024",          // MIN: theirs is smaller
                "MaxOutstandingR2T", "64",          // MIN: ours (8) is smaller
                "DefaultTime2Wait", "0",            // MAX: ours (2)
                "DefaultTime2Retain", "3600",       // MIN: ours (20)
                "ImmediateData", "No",              // AND
                "InitialR2T", "Yes",                // OR
                "DataPDUInOrder", "No",             // OR with our Yes
                "HeaderDigest", "MD5,CRC32C,None",  // LIST: first we support
                "DataDigest", "MD5",                // LIST: nothing we support
                "ErrorRecoveryLevel", "2",          // MIN: 0
                "iSCSIProtocolLevel", "2",          // MIN: 1
                "OFMarkInt", "2048~65535",          // Irrelevant
                "MaxRecvDataSegmentLength", "8192"));
        assertEquals("Reject", op.get("MaxBurstLength"));
        assertEquals("1024", op.get("FirstBurstLength"));
        assertEquals("8", op.get("MaxOutstandingR2T"));
        assertEquals("2", op.get("DefaultTime2Wait"));
        assertEquals("20", op.get("DefaultTime2Retain"));
        assertEquals("No", op.get("ImmediateData"));
        assertEquals("Yes", op.get("InitialR2T"));
        assertEquals("Yes", op.get("DataPDUInOrder"));
        assertEquals("CRC32C", op.get("HeaderDigest"));
        assertEquals("Reject", op.get("DataDigest"));
        assertEquals("0", op.get("ErrorRecoveryLevel"));
        assertEquals("1", op.get("iSCSIProtocolLevel"));
        assertEquals("Irrelevant", op.get("OFMarkInt"));
        assertEquals("262144", op.get("MaxRecvDataSegmentLength"), "we declare our own value");
        NegotiatedParameters p = h.successor.session.params();
        assertTrue(p.headerDigest());
        assertFalse(p.dataDigest());
        assertEquals(262144, p.maxBurstLength(), "RFC default after a rejected offer");
        assertEquals(8192, p.maxXmitDataSegmentLength());
        assertTrue(h.framing.digests().header(), "digests switched after the final response");
    }

    @Test
    void firstBurstNeverExceedsMaxBurst() {
        security();
        Map<String, String> op = h.keys(login(1, 3, "MaxBurstLength", "4096", "FirstBurstLength", "65536"));
        assertEquals("4096", op.get("MaxBurstLength"));
        assertEquals("4096", op.get("FirstBurstLength"));
        assertEquals(4096, h.successor.session.params().firstBurstLength());
    }

    @Test
    void outOfRangeValuesAreRejectedKeyByKey() {
        security();
        Map<String, String> op = h.keys(login(1, 3, "MaxRecvDataSegmentLength", "16777216",
                "ErrorRecoveryLevel", "3", "InitialR2T", "Maybe", "MaxConnections", "0",
                "DefaultTime2Wait", "abc", "FirstBurstLength", "511"));
        assertEquals("Reject", op.get("MaxRecvDataSegmentLength"));
        assertEquals("Reject", op.get("ErrorRecoveryLevel"));
        assertEquals("Reject", op.get("InitialR2T"));
        assertEquals("Reject", op.get("MaxConnections"));
        assertEquals("Reject", op.get("DefaultTime2Wait"));
        assertEquals("Reject", op.get("FirstBurstLength"));
    }

    @Test
    void unknownAndExtensionKeysAreNotUnderstood() {
        security();
        Map<String, String> op = h.keys(login(1, 3, "X-com.example.Feature", "1", "X#vendor", "y",
                "SomeFutureKey", "z", "SendTargets", "All", "TargetAddress", "1.2.3.4:3260,1"));
        assertEquals("NotUnderstood", op.get("X-com.example.Feature"));
        assertEquals("NotUnderstood", op.get("X#vendor"));
        assertEquals("NotUnderstood", op.get("SomeFutureKey"));
        assertEquals("Reject", op.get("SendTargets"), "Full Feature Phase only");
        assertEquals("Reject", op.get("TargetAddress"), "a target-only key");
    }

    @Test
    void hexNumbersAreAccepted() {
        security();
        Map<String, String> op = h.keys(login(1, 3, "MaxBurstLength", "0x10000"));
        assertEquals("65536", op.get("MaxBurstLength"));
    }

    @Test
    void discoverySessionAnswersSessionKeysIrrelevant() {
        Map<String, String> op = h.keys(login(1, 3, "InitiatorName", INITIATOR, "SessionType", "Discovery",
                "MaxBurstLength", "262144", "InitialR2T", "No", "HeaderDigest", "None",
                "MaxRecvDataSegmentLength", "32768"));
        assertEquals("Irrelevant", op.get("MaxBurstLength"));
        assertEquals("Irrelevant", op.get("InitialR2T"));
        assertEquals("None", op.get("HeaderDigest"));
        assertEquals("262144", op.get("MaxRecvDataSegmentLength"));
        assertNull(op.get("TargetPortalGroupTag"));
        assertTrue(h.successor.discovery);
        assertNull(h.successor.session.target());
        assertEquals(32768, h.successor.session.params().maxXmitDataSegmentLength());
    }

    @Test
    void ourMaxRecvDataSegmentLengthIsDeclaredEvenWhenNotOffered() {
        Map<String, String> op = h.keys(login(0, 3, "InitiatorName", INITIATOR, "TargetName", TARGET,
                "AuthMethod", "None"));
        assertEquals("262144", op.get("MaxRecvDataSegmentLength"));
        assertEquals(8192, h.successor.session.params().maxXmitDataSegmentLength(), "RFC default");
    }
}
