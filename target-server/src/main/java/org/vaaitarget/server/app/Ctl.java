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
 * <p>A new command: a subclass of {@link Request} (its name, arguments and options) listed in
 * {@code subcommands}, and the same name registered in {@link AdminCommands#all()}.
 */
@Command(name = "ctl", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, versionProvider = Main.CtlVersion.class,
        description = "Ask a running server (through its admin socket) what it serves, or change it.",
        subcommands = {Ctl.Status.class, Ctl.Sessions.class, Ctl.Luns.class, Ctl.Config.class, Ctl.Reload.class,
                Ctl.Resize.class, Ctl.Logout.class, Ctl.Ats.class},
        footer = {"", "Exit codes: 0 success, 1 the command failed (one error line on stderr), 2 bad usage."})
final class Ctl implements Callable<Integer> {
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

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

    /** One admin request: its name, arguments and options. */
    abstract static class Request implements Callable<Integer> {
        @ParentCommand
        Ctl ctl;

        @Spec
        CommandSpec spec;

        abstract String command();

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
            return ctl.send(spec, command(), args(), options(), json());
        }
    }

    /** A request that shows something: text, or the data as JSON with --json. */
    abstract static class View extends Request {
        @Option(names = "--json", description = "Print JSON (for scripts) instead of text.")
        boolean json;

        @Override
        boolean json() {
            return json;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Version, uptime, portals, targets, LUNs, session count.")
    static final class Status extends View {
        @Override
        String command() {
            return "status";
        }
    }

    @Command(name = "sessions", mixinStandardHelpOptions = true,
            description = "Each session: initiator, address, ISID/TSIH, target, LUNs it sees, negotiated parameters,"
                    + " commands in flight, login time, bytes read and written.")
    static final class Sessions extends View {
        @Override
        String command() {
            return "sessions";
        }
    }

    @Command(name = "luns", mixinStandardHelpOptions = true,
            description = "Each LUN: backing file, size, block size, write cache mode, allocated bytes.")
    static final class Luns extends View {
        @Override
        String command() {
            return "luns";
        }
    }

    @Command(name = "config", mixinStandardHelpOptions = true,
            description = "The configuration in force (YAML; CHAP secrets hidden).")
    static final class Config extends View {
        @Override
        String command() {
            return "config";
        }
    }

    @Command(name = "ats", mixinStandardHelpOptions = true,
            description = "COMPARE AND WRITE (ATS) per LUN and per initiator: attempts, successes, miscompares by cause"
                    + " (contention, own-write, unexplained), range-lock wait p50/p99/max.")
    static final class Ats extends View {
        @Override
        String command() {
            return "ats";
        }
    }

    @Command(name = "reload", mixinStandardHelpOptions = true,
            description = "Re-read the server's --config file and apply the difference (same as SIGHUP).")
    static final class Reload extends Request {
        @Override
        String command() {
            return "reload";
        }
    }

    @Command(name = "resize", mixinStandardHelpOptions = true,
            description = "Grow a LUN (its file grows sparse); initiators get CAPACITY DATA HAS CHANGED. Shrinking is refused.")
    static final class Resize extends Request {
        @Parameters(index = "0", paramLabel = "TARGET", description = "Target IQN.")
        String target;

        @Parameters(index = "1", paramLabel = "LUN", description = "LUN number.")
        String lun;

        @Parameters(index = "2", paramLabel = "SIZE", description = "New size: 20G, 1T, or bytes (a whole number of blocks).")
        String size;

        @Override
        String command() {
            return "resize";
        }

        @Override
        List<String> args() {
            return List.of(target, lun, size);
        }
    }

    @Command(name = "logout", mixinStandardHelpOptions = true,
            description = "Ask the target's sessions to log out (Async Message), then drop those that do not.")
    static final class Logout extends Request {
        @Parameters(index = "0", paramLabel = "TARGET", description = "Target IQN.")
        String target;

        @Option(names = "--initiator", paramLabel = "IQN", description = "Only the sessions of this initiator.")
        String initiator;

        @Override
        String command() {
            return "logout";
        }

        @Override
        List<String> args() {
            return List.of(target);
        }

        @Override
        Map<String, String> options() {
            return initiator == null ? Map.of() : Map.of("initiator", initiator);
        }
    }
}
