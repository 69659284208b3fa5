package org.vaaitarget.server.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vaaitarget.server.admin.AdminClient;
import org.vaaitarget.server.admin.AdminProtocol;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code bin/vaai-target ctl [--socket PATH | --config FILE] COMMAND}: talks to a running server over its
 * admin socket ({@link org.vaaitarget.server.admin.AdminServer}). Exit codes: 0 success; 1 the command
 * failed or was refused, or the server cannot be reached (one {@code error:} line on stderr); 2 bad usage.
 *
 * <p>A new command: a row of {@link #VIEWS} when it only shows something, else a subclass of {@link Request}
 * (its name, arguments and options) added in {@link #commandLine()}; and the same name registered in
 * {@link AdminCommands#all()}.
 */
@Command(name = "ctl", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, versionProvider = Main.CtlVersion.class,
        description = "Ask a running server (through its admin socket) what it serves, or change it.",
        footer = {"", "Exit codes: 0 success, 1 the command failed (one error line on stderr), 2 bad usage."})
final class Ctl implements Callable<Integer> {
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The commands that only show something ({@link View}): name and what it shows. */
    private static final String[][] VIEWS = {
        {"status", "Version, uptime, portals, targets, LUNs, session count."},
        {"sessions", "Each session: initiator, address, ISID/TSIH, target, LUNs it sees, negotiated parameters,"
                + " commands in flight, login time, bytes read and written."},
        {"luns", "Each LUN: backing file, size, block size, write cache mode, allocated bytes."},
        {"config", "The configuration in force (YAML; CHAP secrets hidden)."},
        {"ats", "COMPARE AND WRITE (ATS) per LUN and per initiator: attempts, successes, miscompares by cause"
                + " (contention, own-write, unexplained), range-lock wait p50/p99/max."},
    };

    @Spec
    CommandSpec spec;

    @Option(names = "--socket", paramLabel = "PATH",
            description = "The server's admin socket. Default: admin.socket of --config, else admin.sock beside the "
                    + "first LUN file of --config, else " + Main.DEFAULT_ADMIN_SOCKET)
    Path socket;

    @Option(names = "--config", paramLabel = "FILE",
            description = "The server's YAML configuration: its admin socket is used (when --socket is not given).")
    Path config;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr()); // no COMMAND: bad usage
        return 2;
    }

    /** The {@code ctl} command: the views ({@link #VIEWS}), then the requests that change something. */
    static CommandLine commandLine() {
        CommandLine ctl = new CommandLine(new Ctl());
        for (String[] view : VIEWS) {
            CommandLine sub = new CommandLine(new View());
            sub.getCommandSpec().name(view[0]).usageMessage().description(view[1]);
            ctl.addSubcommand(view[0], sub);
        }
        return ctl.addSubcommand(new Reload()).addSubcommand(new Resize()).addSubcommand(new Logout());
    }

    /** The socket to talk to. */
    Path socket() throws ConfigException {
        if (socket != null) {
            return socket;
        }
        if (config != null) {
            ConfigLoader.ConfigFile file = ConfigLoader.read(config);
            return file.adminSocket() != null ? file.adminSocket() : Main.defaultAdminSocket(file.server());
        }
        return Path.of(Main.DEFAULT_ADMIN_SOCKET);
    }

    /** Sends one request and prints its reply; the exit code. */
    int send(CommandSpec sub, String command, List<String> args, Map<String, String> options, boolean json) {
        PrintWriter out = sub.commandLine().getOut();
        PrintWriter err = sub.commandLine().getErr();
        try {
            AdminProtocol.Reply reply = AdminClient.call(socket(), command, args, options);
            if (!reply.ok()) {
                err.println("error: " + Main.firstLine(reply.error()));
                err.flush();
                return 1;
            }
            if (json) {
                out.println(PRETTY.writeValueAsString(reply.data()));
            } else if (!reply.text().isEmpty()) {
                out.println(reply.text());
            }
            out.flush();
            return 0;
        } catch (ConfigException e) {
            err.println("error: " + e.getMessage());
        } catch (IOException e) {
            err.println("error: " + Main.firstLine(e.getMessage()));
        }
        err.flush();
        return 1;
    }

    /** One admin request: its name (the subcommand's), arguments and options. */
    abstract static class Request implements Callable<Integer> {
        @ParentCommand
        Ctl ctl;

        @Spec
        CommandSpec spec;

        List<String> args() {
            return List.of();
        }

        Map<String, String> options() {
            return Map.of();
        }

        boolean json() {
            return false;
        }

        @Override
        public Integer call() {
            return ctl.send(spec, spec.name(), args(), options(), json());
        }
    }

    /** A request that shows something ({@link #VIEWS}): text, or the data as JSON with --json. */
    @Command(mixinStandardHelpOptions = true)
    static final class View extends Request {
        @Option(names = "--json", description = "Print JSON (for scripts) instead of text.")
        boolean json;

        @Override
        boolean json() {
            return json;
        }
    }

    @Command(name = "reload", mixinStandardHelpOptions = true,
            description = "Re-read the server's --config file and apply the difference (same as SIGHUP).")
    static final class Reload extends Request {
    }

    /** A request about one target: its IQN is the first argument. */
    abstract static class TargetRequest extends Request {
        @Parameters(index = "0", paramLabel = "TARGET", description = "Target IQN.")
        String target;

        @Override
        List<String> args() {
            return List.of(target);
        }
    }

    @Command(name = "resize", mixinStandardHelpOptions = true,
            description = "Grow a LUN (its file grows sparse); initiators get CAPACITY DATA HAS CHANGED. Shrinking is refused.")
    static final class Resize extends TargetRequest {
        @Parameters(index = "1", paramLabel = "LUN", description = "LUN number.")
        String lun;

        @Parameters(index = "2", paramLabel = "SIZE", description = "New size: 20G, 1T, or bytes (a whole number of blocks).")
        String size;

        @Override
        List<String> args() {
            return List.of(target, lun, size);
        }
    }

    @Command(name = "logout", mixinStandardHelpOptions = true,
            description = "Ask the target's sessions to log out (Async Message), then drop those that do not.")
    static final class Logout extends TargetRequest {
        @Option(names = "--initiator", paramLabel = "IQN", description = "Only the sessions of this initiator.")
        String initiator;

        @Override
        Map<String, String> options() {
            return initiator == null ? Map.of() : Map.of("initiator", initiator);
        }
    }
}
