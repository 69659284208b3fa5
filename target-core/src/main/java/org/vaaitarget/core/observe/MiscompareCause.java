package org.vaaitarget.core.observe;

/**
 * Why a COMPARE AND WRITE (ATS) miscompared, judged from who last wrote the first differing block
 * ({@link org.vaaitarget.core.sbc.forensics.WriterHistory}). The {@code cause} field of the miscompare
 * log record and label of {@code vaai_target_ats_miscompares_total}.
 */
public enum MiscompareCause {
    /**
     * The block's current content was written by another initiator (another host name): normal ATS
     * racing between hosts; VMFS re-reads the lock and retries.
     */
    CONTENTION("contention"),
    /**
     * The current content was written by the same initiator (same initiator name, any session): typically
     * an ATS whose first attempt succeeded but whose response was lost, retried after an abort or a
     * reconnect; ESXi checks this by reading the block back.
     */
    OWN_WRITE("own-write"),
    /**
     * No recorded write explains the content: the write is older than the writer history (or larger than
     * the writes it records), the file was written by something outside the target, or the host compared
     * against a stale view of the block. The case an administrator must look at.
     */
    UNEXPLAINED("unexplained");

    private final String label;

    MiscompareCause(String label) {
        this.label = label;
    }

    /** The log field and metric label value: {@code contention}, {@code own-write}, {@code unexplained}. */
    public String label() {
        return label;
    }
}
