package org.vaaitarget.core.spc.xcopy;

import java.util.List;

/**
 * A fully parsed and syntactically valid EXTENDED COPY (LID1) parameter list (SPC-4 6.4).
 *
 * @param listId      LIST IDENTIFIER
 * @param listIdUsage LIST ID USAGE: 00b hold status for RECEIVE COPY RESULTS, 10b list id valid but
 *                    nothing held, 11b list id not valid
 * @param cscds       the CSCD descriptors in order (a segment refers to them by index)
 * @param segments    the segment descriptors in order
 */
public record CopyParameterList(int listId, int listIdUsage, List<Cscd> cscds, List<BlockSegment> segments) {

    public static final int USAGE_HOLD = 0b00;
    public static final int USAGE_NO_HOLD = 0b10;
    public static final int USAGE_NO_LIST_ID = 0b11;

    /** Whether the list identifier names this operation (and must be unique among running ones). */
    public boolean identified() {
        return listIdUsage != USAGE_NO_LIST_ID;
    }

    /** Whether the status is kept for RECEIVE COPY RESULTS. */
    public boolean holdsStatus() {
        return listIdUsage == USAGE_HOLD;
    }
}
