package org.vaaitarget.core.dispatch;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The dispatch table: (operation code, service action) to handler, built once from each handler's
 * {@link CommandHandler#commands()}. Its entries' {@link CommandSpec}s are the one source of per-command
 * facts: the gates, the reservation check and REPORT SUPPORTED OPERATION CODES read them from here. A
 * command registered twice, or an operation code registered both with and without service actions, fails
 * fast at construction.
 *
 * <p>Where the service action lives (SPC-5 4.2.2): bytes 8-9 of a variable-length CDB (7Fh); the
 * low five bits of byte 1 for every other opcode that has service actions (9Eh, A3h, 5Eh, 83h ...).
 * The table only reads it for opcodes registered with service actions.
 */
public final class HandlerTable {

    /** One registered command. */
    public record Entry(CommandSpec spec, CommandHandler handler) {
    }

    /** The outcome of looking a CDB up. */
    public sealed interface Lookup permits Found, UnknownOpcode, UnknownServiceAction {
    }

    public record Found(Entry entry) implements Lookup {
    }

    /** INVALID COMMAND OPERATION CODE. */
    public record UnknownOpcode() implements Lookup {
    }

    /** The opcode is served but not this service action: INVALID FIELD IN CDB. */
    public record UnknownServiceAction() implements Lookup {
    }

    private static final int VARIABLE_LENGTH = 0x7F;
    private static final int NO_SA = 0xFFFF;

    private final Map<Integer, Entry> entries = new HashMap<>();
    private final boolean[] withServiceActions = new boolean[256];
    private final boolean[] withoutServiceActions = new boolean[256];
    private final List<CommandSpec> specs;

    public HandlerTable(List<CommandHandler> handlers) {
        List<CommandSpec> all = new ArrayList<>();
        for (CommandHandler h : handlers) {
            for (CommandSpec spec : h.commands()) {
                register(spec, h);
                all.add(spec);
            }
        }
        all.sort(Comparator.comparingInt(CommandSpec::opcode).thenComparingInt(CommandSpec::serviceAction));
        this.specs = List.copyOf(all);
    }

    private void register(CommandSpec spec, CommandHandler h) {
        int op = spec.opcode();
        if (op < 0 || op > 0xFF) {
            throw new IllegalArgumentException("opcode out of range in " + spec.name());
        }
        if (spec.cdbLength() < 6 || (spec.cdbUsageMap()[0] & 0xFF) != op) {
            throw new IllegalArgumentException("CDB usage map of " + spec.name() + " must start with its opcode");
        }
        boolean sa = spec.serviceAction() >= 0;
        if (sa ? withoutServiceActions[op] : withServiceActions[op]) {
            throw new IllegalArgumentException(String.format(
                    "opcode %02Xh registered both with and without service actions (%s)", op, spec.name()));
        }
        Entry previous = entries.putIfAbsent(key(op, sa ? spec.serviceAction() : NO_SA), new Entry(spec, h));
        if (previous != null) {
            throw new IllegalArgumentException("duplicate registration of " + spec.name() + " (already "
                    + previous.spec().name() + " by " + previous.handler().getClass().getSimpleName() + ")");
        }
        if (sa) {
            withServiceActions[op] = true;
        } else {
            withoutServiceActions[op] = true;
        }
    }

    private static int key(int opcode, int serviceAction) {
        return (opcode << 16) | (serviceAction & 0xFFFF);
    }

    /** Looks a CDB up. */
    public Lookup lookup(byte[] cdb) {
        if (cdb.length == 0) {
            return new UnknownOpcode();
        }
        int op = cdb[0] & 0xFF;
        if (withoutServiceActions[op]) {
            return new Found(entries.get(key(op, NO_SA)));
        }
        if (!withServiceActions[op]) {
            return new UnknownOpcode();
        }
        int sa = serviceActionOf(cdb);
        Entry e = sa < 0 ? null : entries.get(key(op, sa));
        return e == null ? new UnknownServiceAction() : new Found(e);
    }

    /** The service action of a CDB whose opcode has service actions, or -1 when the CDB is too short. */
    public static int serviceActionOf(byte[] cdb) {
        if ((cdb[0] & 0xFF) == VARIABLE_LENGTH) {
            return cdb.length < 10 ? -1 : ((cdb[8] & 0xFF) << 8) | (cdb[9] & 0xFF);
        }
        return cdb.length < 2 ? -1 : cdb[1] & 0x1F;
    }

    /** Every served command, ordered by opcode then service action. */
    public List<CommandSpec> specs() {
        return specs;
    }

    /** Whether the LU serves a registered command ({@link CommandHandler#servedOn}); null LU: yes. */
    public boolean servedOn(CommandSpec spec, org.vaaitarget.core.lu.LogicalUnit lu) {
        Entry e = entries.get(key(spec.opcode(), spec.serviceAction() >= 0 ? spec.serviceAction() : NO_SA));
        return lu == null || e == null || e.handler().servedOn(lu);
    }

    /** Whether the opcode is served at all. */
    public boolean serves(int opcode) {
        return opcode >= 0 && opcode <= 0xFF && (withServiceActions[opcode] || withoutServiceActions[opcode]);
    }

    /** Whether the opcode is served with service actions. */
    public boolean hasServiceActions(int opcode) {
        return opcode >= 0 && opcode <= 0xFF && withServiceActions[opcode];
    }

    /** The spec for an opcode and service action (-1 for opcodes without service actions). */
    public Optional<CommandSpec> find(int opcode, int serviceAction) {
        if (!serves(opcode)) {
            return Optional.empty();
        }
        Entry e = entries.get(key(opcode, withServiceActions[opcode] ? serviceAction : NO_SA));
        return e == null ? Optional.empty() : Optional.of(e.spec());
    }
}
