package org.vaaitarget.server.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vaaitarget.server.pdu.Bhs;
import org.vaaitarget.server.pdu.Opcode;
import org.vaaitarget.server.pdu.Pdu;
import org.vaaitarget.server.pdu.RejectReason;
import org.vaaitarget.server.testing.Requests;

/**
 * A normal session's Text Requests go through the same exchange as a discovery session's (RFC 7143 11.10):
 * a continued request is collected under a Target Transfer Tag, SendTargets names the session's target, other
 * keys are answered, and a TTT we never handed out is rejected.
 */
class NormalSessionTextTest {
    private FfpHarness h;

    @AfterEach
    void tearDown() {
        h.close();
    }

    private Pdu text(int itt, int ttt, int cmdSn, boolean cont, String body) {
        Pdu p = Requests.textRequest(itt, ttt, cmdSn, cont, body.getBytes(StandardCharsets.UTF_8));
        p.setU32(Bhs.EXP_STAT_SN, FfpHarness.FIRST_STAT_SN);
        return Pdu.decoded(p.bhsCopy(), null, p.takeData());
    }

    @Test
    void aContinuedSendTargetsRequestIsCollectedThenAnswered() {
        h = new FfpHarness(FfpHarness.defaults());
        h.send(text(5, Bhs.RESERVED_TAG, FfpHarness.FIRST_CMD_SN, true, "SendTar"));
        h.run();
        Pdu first = h.next(Opcode.TEXT_RESPONSE);
        int ttt = first.u32(Bhs.TTT);
        assertNotEquals(Bhs.RESERVED_TAG, ttt);
        assertEquals(0, first.flags() & (Bhs.F_BIT | Bhs.C_BIT));   // not finished, nothing more to read
        assertEquals(0, first.dataSegmentLength());
        first.release();

        h.send(text(5, ttt, FfpHarness.FIRST_CMD_SN + 1, false, "gets=\0X-foo=1\0MaxBurstLength=512\0"));
        h.run();
        Pdu rsp = h.next(Opcode.TEXT_RESPONSE);
        String body = rsp.data().toString(StandardCharsets.UTF_8);
        assertTrue((rsp.flags() & Bhs.F_BIT) != 0);
        assertEquals(Bhs.RESERVED_TAG, rsp.u32(Bhs.TTT));
        assertTrue(body.contains("TargetName=" + FfpHarness.TARGET + "\0"), body);
        assertTrue(body.contains("X-foo=NotUnderstood\0"), body);
        assertTrue(body.contains("MaxBurstLength=Reject\0"), body);
        rsp.release();
    }

    @Test
    void anUnknownTargetTransferTagIsRejected() {
        h = new FfpHarness(FfpHarness.defaults());
        h.send(text(5, 0x1234, FfpHarness.FIRST_CMD_SN, false, ""));
        h.run();
        Pdu reject = h.next(Opcode.REJECT);
        assertEquals(RejectReason.INVALID_PDU_FIELD.code(), reject.u8(2));
        reject.release();
    }
}
