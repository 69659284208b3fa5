package org.vaaitarget.server.session;

/**
 * What this target offers or declares in login negotiation; the negotiated result never exceeds
 * these, and buffers are sized from them.
 *
 * @param maxRecvDataSegmentLength  our declared MaxRecvDataSegmentLength (bytes we accept per PDU)
 * @param maxBurstLength            the most we accept for MaxBurstLength
 * @param firstBurstLength          the most we accept for FirstBurstLength
 * @param maxOutstandingR2T         the most we accept for MaxOutstandingR2T
 * @param queueDepth                commands per session (CmdSN window: MaxCmdSN - ExpCmdSN + 1)
 * @param nopInIntervalSeconds      idle time before we ping the initiator with NOP-In (0: never)
 * @param nopInTimeoutSeconds       time to wait for the NOP-Out answer before dropping the connection
 */
public record TargetOffer(int maxRecvDataSegmentLength, int maxBurstLength, int firstBurstLength,
                          int maxOutstandingR2T, int queueDepth, int nopInIntervalSeconds, int nopInTimeoutSeconds) {

    public static TargetOffer defaults() {
        return new TargetOffer(262144, 16776192, 262144, 8, 128, 5, 30);
    }
}
