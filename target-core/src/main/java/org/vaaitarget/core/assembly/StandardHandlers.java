package org.vaaitarget.core.assembly;

import java.util.ArrayList;
import java.util.List;
import org.vaaitarget.core.sbc.SbcHandlers;
import org.vaaitarget.core.spc.SpcHandlers;
import org.vaaitarget.core.spc.alua.ReportTargetPortGroupsHandler;
import org.vaaitarget.core.spc.xcopy.XcopyHandlers;
import org.vaaitarget.core.spc.pr.PrHandlers;
import org.vaaitarget.core.dispatch.CommandHandler;

/** The handler set every target device serves unless a test supplies its own. */
public final class StandardHandlers {
    private StandardHandlers() {
    }

    /** A fresh list of handler instances (handlers may hold per-device state). */
    public static List<CommandHandler> all() {
        List<CommandHandler> all = new ArrayList<>(SpcHandlers.all());
        all.addAll(SbcHandlers.all());
        all.addAll(XcopyHandlers.all());
        all.addAll(PrHandlers.all());
        all.add(new ReportTargetPortGroupsHandler());
        return all;
    }
}
