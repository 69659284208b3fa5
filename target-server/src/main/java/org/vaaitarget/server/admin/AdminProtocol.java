package org.vaaitarget.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;

/**
 * The admin socket's wire format: one JSON object per line each way, one request per connection.
 * Request: {@code {"command":"resize","args":["iqn...","1","20G"],"options":{}}}. Reply:
 * {@code {"ok":true,"text":"...","data":{...}}} or {@code {"ok":false,"error":"one line"}}.
 * Data holds maps, lists, strings, numbers and booleans only (times as ISO-8601 text).
 */
public final class AdminProtocol {
    /** The largest request accepted (a command name and a few arguments). */
    static final int MAX_REQUEST = 64 * 1024;

    static final ObjectMapper JSON = new ObjectMapper();

    private AdminProtocol() {
    }

    /** A request as sent. */
    public record Request(String command, List<String> args, Map<String, String> options) {
        public Request {
            args = args == null ? List.of() : List.copyOf(args);
            options = options == null ? Map.of() : Map.copyOf(options);
        }
    }

    /** A reply as received: text and data on success, else the error. */
    public record Reply(boolean ok, String text, JsonNode data, String error) {
    }
}
