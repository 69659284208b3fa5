package org.vaaitarget.core.dispatch;

import java.util.List;
import org.vaaitarget.core.lu.lock.LockMode;
import org.vaaitarget.core.lu.lock.LockRange;
import org.vaaitarget.core.scsi.CommandResult;

/**
 * What {@link RangeCommandHandler#prepare} decided: either the command's result already ({@code result}
 * non-null: a failed check, or nothing to do), or the parsed command and the ranges of the addressed LU to
 * lock before it runs (none for a command that runs without a range lock).
 *
 * @param <P> the parsed command
 */
public record Prepared<P>(CommandResult result, P command, List<LockRange> ranges) {

    /** The command ends here with {@code result}; nothing is locked, execute is not called. */
    public static <P> Prepared<P> done(CommandResult result) {
        return new Prepared<>(result, null, List.of());
    }

    /** Execute {@code command} holding [lba, lba + blocks) in {@code mode}; {@code blocks} at least 1. */
    public static <P> Prepared<P> locking(P command, long lba, long blocks, LockMode mode) {
        return new Prepared<>(null, command, List.of(new LockRange(lba, blocks, mode)));
    }

    /** Execute {@code command} holding all of {@code ranges} (at least one) as one lock. */
    public static <P> Prepared<P> locking(P command, List<LockRange> ranges) {
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("no range to lock");
        }
        return new Prepared<>(null, command, List.copyOf(ranges));
    }

    /** Execute {@code command} without a range lock. */
    public static <P> Prepared<P> unlocked(P command) {
        return new Prepared<>(null, command, List.of());
    }
}
