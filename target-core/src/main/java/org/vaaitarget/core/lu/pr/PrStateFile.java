package org.vaaitarget.core.lu.pr;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.core.scsi.ItNexus;
import org.vaaitarget.core.util.AtomicFiles;

/**
 * The APTPL state of one LU in {@code <lun file>.pr} (SPC-5 5.14.5: registrations and the reservation
 * persist through power loss when APTPL was set by the last REGISTER). Written atomically ({@link AtomicFiles}: temp file,
 * fsync, rename, directory fsync); a missing file means no persisted state. Line format, one record a line:
 * <pre>
 * reg &lt;key hex&gt; &lt;relative target port&gt; &lt;isid&gt; &lt;target name&gt; &lt;initiator name&gt;
 * res &lt;type code&gt; &lt;holder registration index | all&gt;
 * </pre>
 * iSCSI names contain no spaces (RFC 3722), so spaces separate fields.
 */
public final class PrStateFile {
    private static final Logger LOG = LoggerFactory.getLogger(PrStateFile.class);
    private static final HexFormat HEX = HexFormat.of();

    /** One daemon thread writes every LU's state, in request order (PR OUT is rare). */
    static final ExecutorService WRITER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "pr-state-writer");
        t.setDaemon(true);
        return t;
    });

    private final Path path;

    public PrStateFile(Path path) {
        this.path = path.toAbsolutePath();
    }

    /** The state file kept beside {@code lunFile}. */
    public static PrStateFile beside(Path lunFile) {
        Path absolute = lunFile.toAbsolutePath();
        return new PrStateFile(absolute.resolveSibling(absolute.getFileName() + ".pr"));
    }

    public Path path() {
        return path;
    }

    /** The saved state, or null when there is none. */
    PrSnapshot read() throws IOException {
        if (!Files.exists(path)) {
            return null;
        }
        List<Registration> regs = new ArrayList<>();
        ReservationType type = null;
        ItNexus holder = null;
        for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
            String[] f = line.strip().split(" ", 6);
            if (f[0].isEmpty() || f[0].startsWith("#")) {
                continue;
            }
            try {
                if (f[0].equals("reg") && f.length == 6) {
                    long key = HexFormat.fromHexDigitsToLong(f[1]);
                    regs.add(new Registration(new ItNexus(f[5], f[3], f[4], Integer.parseInt(f[2])), key));
                } else if (f[0].equals("res") && f.length == 3) {
                    type = ReservationType.of(Integer.parseInt(f[1]));
                    holder = f[2].equals("all") ? null : regs.get(Integer.parseInt(f[2])).nexus();
                    if (type == null || (holder == null) != type.allRegistrants()) {
                        throw new IllegalArgumentException("bad reservation");
                    }
                } else {
                    throw new IllegalArgumentException("unknown record");
                }
            } catch (RuntimeException e) {
                throw new IOException(path + ": corrupt persistent reservation file at '" + line + "': " + e.getMessage()
                        + ". Remove it to start without persisted reservations.", e);
            }
        }
        LOG.info("{}: restored {} persistent reservation registration(s){}", path, regs.size(),
                type == null ? "" : " and a " + type + " reservation");
        return new PrSnapshot(0, regs, type, holder, true);
    }

    /** Writes {@code s} durably, or removes the file when {@code s} is null. Runs on {@link #WRITER}. */
    void writeOrDelete(PrSnapshot s) {
        try {
            if (s == null) {
                AtomicFiles.delete(path);
                return;
            }
            AtomicFiles.replace(path, render(s).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            LOG.error("{}: cannot save persistent reservations: {}", path, e.toString());
            throw new UncheckedIOException(e);
        }
    }

    static String render(PrSnapshot s) {
        StringBuilder b = new StringBuilder("# Persistent reservations (APTPL) of the LUN file beside this one.\n");
        int holderIndex = -1;
        for (int i = 0; i < s.registrations().size(); i++) {
            Registration r = s.registrations().get(i);
            ItNexus n = r.nexus();
            b.append("reg ").append(HEX.toHexDigits(r.key())).append(' ').append(n.relativeTargetPort()).append(' ')
                    .append(n.isid()).append(' ').append(n.targetName()).append(' ').append(n.initiatorName()).append('\n');
            if (n.equals(s.holder())) {
                holderIndex = i;
            }
        }
        if (s.type() != null) {
            b.append("res ").append(s.type().code()).append(' ')
                    .append(s.type().allRegistrants() ? "all" : Integer.toString(holderIndex)).append('\n');
        }
        return b.toString();
    }
}
