package org.vaaitarget.server.session;

/**
 * The operational parameters in force for a session and its connection after login (RFC 7143 13).
 * Immutable: login builds it once, when the Login Response with T=1 that enters Full Feature Phase
 * is sent.
 *
 * @param headerDigest           CRC32C header digests in use
 * @param dataDigest             CRC32C data digests in use
 * @param maxRecvDataSegmentLength what WE declared: the largest data segment we accept
 * @param maxXmitDataSegmentLength what the initiator declared: the largest data segment we may send
 * @param maxBurstLength         MaxBurstLength
 * @param firstBurstLength       FirstBurstLength
 * @param initialR2T             InitialR2T (OR-negotiated)
 * @param immediateData          ImmediateData (AND-negotiated)
 * @param maxOutstandingR2T      MaxOutstandingR2T
 * @param dataPduInOrder         DataPDUInOrder
 * @param dataSequenceInOrder    DataSequenceInOrder
 * @param errorRecoveryLevel     ErrorRecoveryLevel (this target: 0)
 * @param maxConnections         MaxConnections (this target: 1)
 * @param defaultTime2Wait       DefaultTime2Wait
 * @param defaultTime2Retain     DefaultTime2Retain
 */
public record NegotiatedParameters(boolean headerDigest, boolean dataDigest, int maxRecvDataSegmentLength,
                                   int maxXmitDataSegmentLength, int maxBurstLength, int firstBurstLength,
                                   boolean initialR2T, boolean immediateData, int maxOutstandingR2T,
                                   boolean dataPduInOrder, boolean dataSequenceInOrder, int errorRecoveryLevel,
                                   int maxConnections, int defaultTime2Wait, int defaultTime2Retain) {

    /** RFC 7143 defaults, before any negotiation (also what a discovery session without keys uses). */
    public static NegotiatedParameters rfcDefaults() {
        return new NegotiatedParameters(false, false, 8192, 8192, 262144, 65536, true, true, 1, true, true, 0,
                1, 2, 20);
    }
}
