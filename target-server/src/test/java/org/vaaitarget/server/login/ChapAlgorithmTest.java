package org.vaaitarget.server.login;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** CHAP_A algorithms: the challenge length is the digest's own, and the first supported offer wins. */
class ChapAlgorithmTest {
    @Test
    void eachAlgorithmHasItsDigestLength() {
        assertEquals(16, ChapAlgorithm.MD5.digestLength());
        assertEquals(20, ChapAlgorithm.SHA1.digestLength());
        assertEquals(32, ChapAlgorithm.SHA256.digestLength());
        assertEquals(32, ChapAlgorithm.SHA3_256.digestLength());
        for (ChapAlgorithm a : ChapAlgorithm.values()) {
            assertEquals(a.digestLength(), a.response(1, new byte[12], new byte[16]).length, a.toString());
        }
    }

    @Test
    void theFirstOfferedAlgorithmWeSupportIsChosen() {
        assertEquals(ChapAlgorithm.SHA256, ChapAlgorithm.firstSupported("99, 7,5").orElseThrow());
        assertEquals(false, ChapAlgorithm.firstSupported("1,2").isPresent());
    }
}
