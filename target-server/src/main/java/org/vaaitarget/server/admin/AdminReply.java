package org.vaaitarget.server.admin;

/**
 * What an admin command answers: text for people ({@code ctl COMMAND}) and data for scripts
 * ({@code ctl COMMAND --json}).
 *
 * @param text lines for a terminal (no trailing newline needed)
 * @param data maps, lists, strings and numbers (serialized as JSON), or null
 */
public record AdminReply(String text, Object data) {
}
