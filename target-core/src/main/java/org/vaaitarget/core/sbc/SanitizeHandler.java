package org.vaaitarget.core.sbc;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.vaaitarget.core.dispatch.AbstractCommandHandler;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.lu.lock.LockMode;
import org.vaaitarget.core.sbc.sanitize.SanitizeOperation;
import org.vaaitarget.core.sbc.sanitize.Sanitizer;
import org.vaaitarget.core.scsi.CommandResult;
import org.vaaitarget.core.scsi.sense.SenseData;
import org.vaaitarget.core.scsi.sense.SenseReason;

/**
 * SANITIZE (48h, SBC-4 5.30) on LUs configured with {@code sanitize: true}; on every other LU the opcode is
 * unknown ({@link #servedOn}). Service actions: OVERWRITE (01h), BLOCK ERASE (02h), EXIT FAILURE MODE (1Fh).
 * CRYPTOGRAPHIC ERASE (03h) is not served (nothing here is encrypted): INVALID FIELD IN CDB, and REPORT
 * SUPPORTED OPERATION CODES does not list it, so VPD B1h has WACEREQ 00b.
 *
 * <p>CDB checks: the reserved bit of byte 1 and bytes 2-6 must be zero; BLOCK ERASE and EXIT FAILURE MODE
 * take no parameter list (PARAMETER LIST LENGTH 0), OVERWRITE takes 5 to block length + 4 bytes
 * (INVALID FIELD IN CDB otherwise). OVERWRITE parameter list (SBC-4 5.30.2.2): OVERWRITE COUNT 1..31, TEST
 * 00b, INITIALIZATION PATTERN LENGTH 1..block length and within the list (INVALID FIELD IN PARAMETER
 * LIST otherwise).
 *
 * <p>The operation itself runs in the LU's {@link Sanitizer}. IMMED=1: GOOD at once, the LU answers NOT
 * READY, SANITIZE IN PROGRESS until it ends. IMMED=0: the command completes when the sanitize does (GOOD,
 * or MEDIUM ERROR / SANITIZE COMMAND FAILED); an abort or reset ends the command but not the sanitize
 * (SBC-4 4.11.3), because the task only waits for a SHARED lock queued behind the sanitize's EXCLUSIVE one.
 */
public final class SanitizeHandler extends AbstractCommandHandler {
    static final int OVERWRITE = 0x01;
    static final int EXIT_FAILURE_MODE = 0x1F;
    private static final int IMMED = 0x80;
    private static final int RESERVED_BIT = 0x40;
    private static final int AUSE = 0x20;

    @Override
    public boolean servedOn(LogicalUnit lu) {
        return lu.sanitizer().allowed();
    }

    @Override
    public CompletionStage<CommandResult> execute(Task task) {
        byte[] cdb = task.cdb();
        LogicalUnit lu = task.lu();
        if ((cdb[1] & RESERVED_BIT) != 0) {
            return SbcHandlers.done(task.invalidCdbField(1, 6));
        }
        for (int i = 2; i <= 6; i++) {
            if (cdb[i] != 0) {
                return SbcHandlers.done(task.invalidCdbField(i, -1));
            }
        }
        int sa = cdb[1] & 0x1F;
        boolean immed = (cdb[1] & IMMED) != 0;
        boolean ause = (cdb[1] & AUSE) != 0;
        int listLength = Cdbs.u8(cdb, 7) << 8 | Cdbs.u8(cdb, 8);
        Sanitizer sanitizer = lu.sanitizer();
        if (sa != OVERWRITE) {
            if (listLength != 0) {
                return SbcHandlers.done(task.invalidCdbField(7, -1));
            }
            if (sa == EXIT_FAILURE_MODE) {
                return exitFailureMode(task, sanitizer);
            }
            if (!lu.store().capabilities().unmapSupported()) {
                return SbcHandlers.done(task.invalidCdbField(1, 4));     // nothing to erase blocks with
            }
            return run(task, SanitizeOperation.blockErase(ause), immed, 0);
        }
        if (listLength < 5 || listLength > lu.blockSize() + 4) {
            return SbcHandlers.done(task.invalidCdbField(7, -1));
        }
        ByteBuf out = task.command().dataOut();
        if (out == null || out.readableBytes() < listLength) {
            return SbcHandlers.done(task.check(SenseReason.PARAMETER_LIST_LENGTH_ERROR));
        }
        byte[] list = new byte[listLength];
        out.getBytes(out.readerIndex(), list);
        int passes = list[0] & 0x1F;
        if (passes == 0) {
            return SbcHandlers.done(badParameter(task, 0, 4));
        }
        if ((list[0] & 0x60) != 0) {
            return SbcHandlers.done(badParameter(task, 0, 6));           // TEST: vendor specific, not served
        }
        int patternLength = (list[2] & 0xFF) << 8 | (list[3] & 0xFF);
        if (patternLength == 0 || patternLength > lu.blockSize() || patternLength > listLength - 4) {
            return SbcHandlers.done(badParameter(task, 2, -1));
        }
        byte[] pattern = java.util.Arrays.copyOfRange(list, 4, 4 + patternLength);
        boolean invert = (list[0] & 0x80) != 0;
        return run(task, new SanitizeOperation(SanitizeOperation.Action.OVERWRITE, ause, passes, invert, pattern), immed,
                listLength);
    }

    private static CompletionStage<CommandResult> run(Task task, SanitizeOperation op, boolean immed, long length) {
        LogicalUnit lu = task.lu();
        CompletableFuture<CompletableFuture<Boolean>> started;
        try {
            started = lu.sanitizer().start(op);
        } catch (IllegalStateException raced) {
            return SbcHandlers.done(task.check(SenseData.withProgress(
                    SenseReason.LOGICAL_UNIT_NOT_READY_SANITIZE_IN_PROGRESS, lu.sanitizer().progress())));
        }
        if (immed) {
            // GOOD once the operation is recorded (it survives a power loss from then on).
            return started.thenApply(end -> CommandResult.good(length));
        }
        // Once the sanitize holds its EXCLUSIVE lock on every block, this SHARED request waits behind it; an
        // abort withdraws the request and ends the task, the sanitize goes on.
        return started.thenCompose(end -> task.lock(0, lu.blockCount(), LockMode.SHARED).thenCompose(lock -> end))
                .thenApply(ok -> ok ? CommandResult.good(length) : task.check(SenseReason.SANITIZE_COMMAND_FAILED));
    }

    /**
     * EXIT FAILURE MODE (SBC-4 5.30.3): outside failure mode there is nothing to leave (GOOD); after a
     * failed sanitize that had AUSE=1 it leaves failure mode; after one with AUSE=0 only a new SANITIZE
     * may (INVALID FIELD IN CDB, pointing at the service action).
     */
    private static CompletionStage<CommandResult> exitFailureMode(Task task, Sanitizer sanitizer) {
        if (sanitizer.state() != Sanitizer.State.FAILED) {
            return SbcHandlers.done(CommandResult.good(0));
        }
        if (!sanitizer.failedWithAuse()) {
            return SbcHandlers.done(task.invalidCdbField(1, 4));
        }
        // Removing the marker file touches the disk: not on the caller's (event loop) thread.
        return CompletableFuture.supplyAsync(() -> {
            try {
                sanitizer.exitFailureMode();
                return CommandResult.good(0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static CommandResult badParameter(Task task, int byteIndex, int bit) {
        return task.check(SenseData.withFieldPointer(SenseReason.INVALID_FIELD_IN_PARAMETER_LIST, false, byteIndex, bit));
    }
}
