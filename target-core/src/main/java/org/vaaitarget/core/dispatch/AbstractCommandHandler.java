package org.vaaitarget.core.dispatch;

import java.util.List;

/**
 * A handler whose commands its family's list declares ({@link #serving}), so that each family keeps its
 * opcode table, facts included, in one place and a handler holds only behaviour.
 */
public abstract class AbstractCommandHandler implements CommandHandler {
    private List<CommandSpec> commands = List.of();

    /** Declares the commands this handler serves; once, before the dispatch table is built. */
    public final CommandHandler serving(CommandSpec... served) {
        if (!commands.isEmpty()) {
            throw new IllegalStateException(getClass().getSimpleName() + " already serves " + commands);
        }
        commands = List.of(served);
        return this;
    }

    @Override
    public final List<CommandSpec> commands() {
        return commands;
    }
}
