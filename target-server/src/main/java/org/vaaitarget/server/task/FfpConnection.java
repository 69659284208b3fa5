package org.vaaitarget.server.task;

import io.netty.channel.ChannelHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.core.scsi.ItNexus;
import org.vaaitarget.core.scsi.ScsiTaskRouter;
import org.vaaitarget.server.login.ServerContext;
import org.vaaitarget.server.pdu.Bhs;
import org.vaaitarget.server.session.Connection;
import org.vaaitarget.server.session.NegotiatedParameters;
import org.vaaitarget.server.session.Session;

/**
 * A normal session's connection: the shared {@link Connection} engine (state, StatSN, command window, the
 * way out to the wire) plus what its tasks need: the session, the negotiated parameters, target transfer
 * tags, the SCSI device. Event loop only.
 */
final class FfpConnection extends Connection {
    private static final Logger LOG = LoggerFactory.getLogger(FfpConnection.class);

    final ServerContext server;
    final Session session;
    final NegotiatedParameters params;
    final FullFeatureOptions options;
    final ItNexus nexus;
    /** Large reads of this connection may be sent straight from the LUN file (no data digests, setting allows). */
    final boolean fileDataIn;
    private int expStatSn;
    private int nextTtt = 1;

    FfpConnection(ChannelHandlerContext ctx, ServerContext server, Session session, int nextStatSn,
                  FullFeatureOptions options) {
        super(ctx, nextStatSn, session.initialExpCmdSn(), server.offer().queueDepth(), session.nexus());
        this.server = server;
        this.session = session;
        this.params = session.params();
        this.options = options;
        this.nexus = session.nexus();
        this.fileDataIn = !params.dataDigest() && server.zeroCopyReads().appliesTo(ctx.channel().remoteAddress());
    }

    ScsiTaskRouter device() {
        return session.target().device();
    }

    /** A fresh Target Transfer Tag (never the reserved 0xFFFFFFFF). */
    int newTtt() {
        int t = nextTtt++;
        if (t == Bhs.RESERVED_TAG) {
            t = nextTtt++;
        }
        return t;
    }

    /**
     * Records the initiator's ExpStatSN (RFC 7143 3.2.2.2). At ERL 0 the target keeps no status for
     * retransmission, so the acknowledgement frees nothing; a value ahead of our StatSN is logged.
     */
    void acknowledge(int initiatorExpStatSn) {
        if (initiatorExpStatSn - statSn() > 0) {
            LOG.debug("{}: ExpStatSN {} is ahead of StatSN {}", nexus, initiatorExpStatSn, statSn());
        }
        expStatSn = initiatorExpStatSn;
    }

    int expStatSn() {
        return expStatSn;
    }
}
