package org.vaaitarget.core.spc.xcopy;

import org.vaaitarget.core.scsi.sense.SenseData;
import org.vaaitarget.core.scsi.sense.SenseReason;

/** An EXTENDED COPY parameter list or segment that cannot be processed, with the sense to report. */
final class CopyFailure extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient SenseData sense;

    CopyFailure(SenseData sense) {
        super(sense.toString(), null, false, false);
        this.sense = sense;
    }

    static CopyFailure of(SenseReason reason) {
        return new CopyFailure(SenseData.of(reason));
    }

    /** With a field pointer into the parameter list (SPC-5 4.4.5.2, C/D=0). */
    static CopyFailure at(SenseReason reason, int byteIndex, int bit) {
        return new CopyFailure(SenseData.withFieldPointer(reason, false, byteIndex, bit));
    }

    SenseData sense() {
        return sense;
    }
}
