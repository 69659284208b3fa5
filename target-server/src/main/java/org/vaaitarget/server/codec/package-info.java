/**
 * iSCSI framing: {@link org.vaaitarget.server.codec.IscsiFrameDecoder} and
 * {@link org.vaaitarget.server.codec.IscsiFrameEncoder}, sharing one per-connection
 * {@link org.vaaitarget.server.codec.FramingState} (digests, limits) that login switches once.
 *
 * <p>Buffer ownership:
 * <ul>
 * <li>The decoder owns its cumulation; a decoded Pdu's data is a retained slice of it, owned by
 *     the Pdu; whoever handles the Pdu releases it ({@code Pdu.release()}) or passes it on.</li>
 * <li>{@link org.vaaitarget.server.codec.RejectedFrame} holds no buffer.</li>
 * <li>The encoder takes the outbound Pdu's data into a composite buffer without copying and
 *     releases the Pdu; the transport releases the composite once written.</li>
 * </ul>
 * Handlers after login must accept both {@code Pdu} and {@code RejectedFrame} messages; the latter
 * is answered with a Reject built by {@link org.vaaitarget.server.pdu.TargetPdus}.
 */
package org.vaaitarget.server.codec;
