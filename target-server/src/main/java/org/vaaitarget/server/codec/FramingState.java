package org.vaaitarget.server.codec;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.Objects;

/**
 * The per-connection framing settings that the decoder and the encoder consult at every PDU
 * boundary. Login switches them once, right after it has written the final Login Response
 * (RFC 7143 13.1: digests start with the first PDU after the Login Phase). Touched only on the
 * channel's event loop. Also stored as a channel attribute ({@link #of(Channel)}).
 */
public final class FramingState {
    public static final AttributeKey<FramingState> KEY = AttributeKey.valueOf(FramingState.class, "framing");

    private DigestPolicy digests = DigestPolicy.NONE;
    private FrameLimits limits = FrameLimits.login();

    public DigestPolicy digests() {
        return digests;
    }

    public FrameLimits limits() {
        return limits;
    }

    /** Switches to the negotiated settings; the next PDU decoded or encoded uses them. */
    public void enterFullFeaturePhase(DigestPolicy newDigests, FrameLimits newLimits) {
        this.digests = Objects.requireNonNull(newDigests);
        this.limits = Objects.requireNonNull(newLimits);
    }

    /** The state attached to a channel by the channel initializer, or null. */
    public static FramingState of(Channel channel) {
        return channel.attr(KEY).get();
    }
}
