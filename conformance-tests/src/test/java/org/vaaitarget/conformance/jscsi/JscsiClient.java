package org.vaaitarget.conformance.jscsi;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.jscsi.exception.NoSuchSessionException;
import org.jscsi.exception.TaskExecutionException;
import org.jscsi.initiator.Configuration;
import org.jscsi.initiator.Initiator;
import org.vaaitarget.conformance.support.TestTarget;

/**
 * jSCSI's initiator (org.jscsi:initiator 2.2) pointed at a {@link TestTarget}. jSCSI reads its settings
 * from an XML file validated against its schema; we write one with the global settings of the jar's
 * own jscsi.xml and a single target entry for our host and port. jSCSI always addresses LUN 0.
 */
final class JscsiClient implements AutoCloseable {
    static final String INITIATOR_NAME = "iqn.2026-11.org.vaaitarget:jscsi-initiator";
    private static final String SESSION = "under-test";
    /** Per command: 1 MiB, i.e. 2048 blocks of 512 bytes (well within READ(10)/WRITE(10)). */
    static final int CHUNK = 1 << 20;

    private final Initiator initiator;

    private JscsiClient(Initiator initiator) {
        this.initiator = initiator;
    }

    static JscsiClient connect(Path workDir, TestTarget target) throws Exception {
        Files.createDirectories(workDir);
        Path xsd = workDir.resolve("jscsi.xsd");
        try (InputStream in = Initiator.class.getResourceAsStream("/jscsi.xsd")) {
            Files.copy(in, xsd, StandardCopyOption.REPLACE_EXISTING);
        }
        Path xml = workDir.resolve("jscsi.xml");
        Files.writeString(xml, configXml(target), StandardCharsets.UTF_8);
        Configuration configuration = Configuration.create(xsd.toFile(), xml.toFile());
        Initiator initiator = new Initiator(configuration);
        try {
            initiator.createSession(SESSION);
        } catch (RuntimeException e) {
            // jSCSI sends READ CAPACITY right after login and cannot handle the UNIT ATTENTION a target
            // reports on the first command of a nexus after power on (SAM-5 5.14); that consumed it, so
            // a second session from the same initiator port succeeds.
            initiator = new Initiator(configuration);
            initiator.createSession(SESSION);
        }
        return new JscsiClient(initiator);
    }

    /** The jar's jscsi.xml with its example targets replaced by ours. */
    private static String configXml(TestTarget target) throws IOException {
        String shipped;
        try (InputStream in = Initiator.class.getResourceAsStream("/jscsi.xml")) {
            shipped = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String withoutComments = shipped.replaceAll("(?s)<!--.*?-->", "");
        String withoutTargets = withoutComments.replaceAll("(?s)<target\\b.*?</target>", "");
        String ours = "<target id=\"" + SESSION + "\" address=\"" + target.host() + "\" port=\"" + target.port() + "\">"
                + "<InitiatorName>" + INITIATOR_NAME + "</InitiatorName>"
                + "<TargetName>" + target.iqn() + "</TargetName></target>";
        return withoutTargets.replace("</configuration>", ours + "</configuration>");
    }

    long blockSize() throws Exception {
        return initiator.getBlockSize(SESSION);
    }

    void write(long lba, byte[] data) throws Exception {
        int blockSize = (int) blockSize();
        for (int offset = 0; offset < data.length; offset += CHUNK) {
            int length = Math.min(CHUNK, data.length - offset);
            initiator.write(SESSION, ByteBuffer.wrap(data, offset, length).slice(), (int) (lba + offset / blockSize), length);
        }
    }

    byte[] read(long lba, int length) throws Exception {
        int blockSize = (int) blockSize();
        byte[] out = new byte[length];
        for (int offset = 0; offset < length; offset += CHUNK) {
            int n = Math.min(CHUNK, length - offset);
            ByteBuffer buffer = ByteBuffer.allocate(n);
            initiator.read(SESSION, buffer, (int) (lba + offset / blockSize), n);
            buffer.flip();
            if (buffer.remaining() != n) {
                buffer.position(0).limit(n);
            }
            buffer.get(out, offset, n);
        }
        return out;
    }

    @Override
    public void close() throws NoSuchSessionException, TaskExecutionException {
        initiator.closeSession(SESSION);
    }
}
