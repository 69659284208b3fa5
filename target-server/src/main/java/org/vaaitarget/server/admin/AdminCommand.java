package org.vaaitarget.server.admin;

import java.util.List;
import java.util.Map;

/**
 * One command of the admin socket, registered by name with {@link AdminServer}. Runs on the admin
 * thread (never a Netty event loop), so it may wait.
 */
@FunctionalInterface
public interface AdminCommand {
    /**
     * @param args    positional arguments, as {@code ctl} sent them
     * @param options named options ({@code --initiator IQN} arrives as {@code initiator})
     * @throws AdminException with the one-line error {@code ctl} prints
     */
    AdminReply run(List<String> args, Map<String, String> options) throws AdminException;
}
