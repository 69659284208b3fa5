package org.vaaitarget.server.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import java.util.Map;
import org.vaaitarget.server.login.Authenticator;
import org.vaaitarget.server.login.KeyNegotiator;
import org.vaaitarget.server.login.LoginFailure;
import org.vaaitarget.server.login.LoginStage;
import org.vaaitarget.server.login.TextKeyValues;
import org.vaaitarget.server.session.NegotiatedParameters;
import org.vaaitarget.server.session.TargetOffer;

/**
 * Arbitrary login text through {@link TextKeyValues} and {@link KeyNegotiator}: parsing either
 * succeeds (and encode/parse round-trips) or says MalformedTextException; negotiation either answers
 * (with text that parses again, and parameters within what we offered) or fails with a LoginFailure.
 * Nothing else may escape.
 */
class LoginTextFuzzTest {
    private static final TargetOffer OFFER = TargetOffer.defaults();

    @FuzzTest(maxDuration = "5m")
    void loginTextParsesOrFailsCleanly(FuzzedDataProvider data) throws Exception {
        boolean security = data.consumeBoolean();
        byte[] text = data.consumeRemainingAsBytes();
        List<Map.Entry<String, String>> pairs;
        try {
            pairs = TextKeyValues.parse(text);
        } catch (TextKeyValues.MalformedTextException expected) {
            return;
        }
        assertEquals(pairs, TextKeyValues.parse(TextKeyValues.encode(pairs)), "encode/parse round trip");
        KeyNegotiator negotiator = new KeyNegotiator(OFFER, List.of(Authenticator.none()));
        List<Map.Entry<String, String>> response;
        try {
            response = negotiator.negotiate(pairs,
                    security ? LoginStage.SECURITY_NEGOTIATION : LoginStage.LOGIN_OPERATIONAL_NEGOTIATION);
        } catch (LoginFailure expected) {
            return;
        }
        assertEquals(response, TextKeyValues.parse(TextKeyValues.encode(response)), "our answer is valid text");
        NegotiatedParameters p = negotiator.parameters();
        assertTrue(p.maxBurstLength() >= 512 && p.maxBurstLength() <= OFFER.maxBurstLength(), "MaxBurstLength " + p);
        assertTrue(p.firstBurstLength() >= 512 && p.firstBurstLength() <= p.maxBurstLength(), "FirstBurstLength " + p);
        assertTrue(p.maxXmitDataSegmentLength() >= 512, "MaxXmitDataSegmentLength " + p);
        assertTrue(p.maxOutstandingR2T() >= 1 && p.maxOutstandingR2T() <= OFFER.maxOutstandingR2T(),
                "MaxOutstandingR2T " + p);
        assertEquals(0, p.errorRecoveryLevel(), "ERL 0 only");
    }
}
