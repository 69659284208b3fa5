package org.vaaitarget.core.lu;

/**
 * The current values of the changeable mode parameters of one LU (shared by all nexuses; SPC-5
 * 7.5.2 allows per-nexus pages, this target keeps one set). Thread-safe.
 */
public final class ModeParameters {
    /** Control mode page D_SENSE: descriptor-format sense when true (SPC-5 7.5.8). */
    private volatile boolean descriptorSense;
    /** Caching mode page WCE (SBC-4 6.5.5); may only be true when the store has a volatile cache. */
    private volatile boolean writeCacheEnabled;
    /** Control mode page SWP: software write protect (SPC-5 7.5.8); the medium then refuses writes. */
    private volatile boolean softwareWriteProtect;

    public ModeParameters(boolean writeCacheEnabled) {
        this.writeCacheEnabled = writeCacheEnabled;
    }

    /**
     * Control mode page TAS (SPC-5 7.5.8): always 1 and not changeable. A task aborted by a task
     * management function or PREEMPT AND ABORT of another I_T nexus ends with status TASK ABORTED
     * (SAM-5 5.6), so its host retries at once instead of waiting for its command timeout (what LIO
     * does by default).
     */
    public boolean taskAbortedStatus() {
        return true;
    }

    public boolean descriptorSense() {
        return descriptorSense;
    }

    public void descriptorSense(boolean value) {
        this.descriptorSense = value;
    }

    public boolean writeCacheEnabled() {
        return writeCacheEnabled;
    }

    public void writeCacheEnabled(boolean value) {
        this.writeCacheEnabled = value;
    }

    public boolean softwareWriteProtect() {
        return softwareWriteProtect;
    }

    public void softwareWriteProtect(boolean value) {
        this.softwareWriteProtect = value;
    }
}
