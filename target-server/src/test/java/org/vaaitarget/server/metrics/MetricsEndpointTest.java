package org.vaaitarget.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vaaitarget.core.sbc.forensics.AtsStatistics.Snapshot;

class MetricsEndpointTest {

    @Test
    void healthzIs503WhileStartingAndStoppingAnd200WhileServing() throws Exception {
        MetricsEndpoint endpoint = MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0), () -> "x 1\n");
        String base = "http://127.0.0.1:" + endpoint.address().getPort();
        try {
            assertEquals(503, get(base + "/healthz", "GET").statusCode());
            assertEquals("starting\n", get(base + "/healthz", "GET").body());
            assertEquals(200, get(base + "/metrics", "GET").statusCode(), "metrics serve while starting");
            endpoint.serving();
            HttpResponse<String> ok = get(base + "/healthz", "GET");
            assertEquals(200, ok.statusCode());
            assertEquals("serving\n", ok.body());
            HttpResponse<String> metrics = get(base + "/metrics", "GET");
            assertEquals("x 1\n", metrics.body());
            assertEquals(MetricsEndpoint.PROMETHEUS_TEXT, metrics.headers().firstValue("Content-Type").orElse(""));
            assertEquals(404, get(base + "/other", "GET").statusCode());
            assertEquals(405, get(base + "/metrics", "POST").statusCode());
            endpoint.stopping();
            assertEquals(503, get(base + "/healthz", "GET").statusCode());
            assertEquals("stopping\n", get(base + "/healthz", "GET").body());
        } finally {
            endpoint.close();
        }
        assertThrows(ConnectException.class, () -> get(base + "/healthz", "GET"));
    }

    @Test
    void atsReportRendersATableAndJson() {
        Snapshot all = new Snapshot(12, 8, 2, 1, 1, 40, 900, 1200);
        Snapshot a = new Snapshot(7, 5, 1, 0, 1, 35, 800, 1100);
        Snapshot b = new Snapshot(5, 3, 1, 1, 0, 45, 950, 1200);
        AtsReport report = new AtsReport(Instant.parse("2026-12-06T21:00:00Z"), List.of(new AtsReport.Lun(
                "iqn.2026-12.org.example:t", 0, all, Map.of("iqn.1998-01.com.vmware:esx-b", b,
                        "iqn.1998-01.com.vmware:esx-a", a))));
        String text = report.toText();
        List<String> lines = text.lines().toList();
        assertEquals(4, lines.size(), text);
        assertTrue(lines.get(0).startsWith("TARGET"), text);
        assertTrue(lines.get(1).matches("iqn.2026-12.org.example:t\\s+0\\s+\\(all\\)\\s+12\\s+8\\s+2\\s+1\\s+1\\s+40\\s+900\\s+1200"),
                text);
        assertTrue(lines.get(2).contains("esx-a") && lines.get(3).contains("esx-b"), "initiators sorted: " + text);
        String json = report.toJson().replaceAll("\\s", "");
        assertTrue(json.startsWith("{\"time\":\"2026-12-06T21:00:00Z\",\"luns\":[{\"target\":\"iqn.2026-12.org.example:t\","
                + "\"lun\":0,\"attempts\":12,\"succeeded\":8,\"miscompares\":{\"contention\":2,\"own-write\":1,"
                + "\"unexplained\":1},\"lockWaitMicros\":{\"p50\":40,\"p99\":900,\"max\":1200},\"initiators\":"
                + "[{\"initiator\":\"iqn.1998-01.com.vmware:esx-a\",\"attempts\":7"), json);
    }

    private static HttpResponse<String> get(String uri, String method) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(uri))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }
}
