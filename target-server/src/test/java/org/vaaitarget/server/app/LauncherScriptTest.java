package org.vaaitarget.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/vaai-target}, the documented way to start the server: which JVM options it passes, in which
 * order, and that the target's own arguments arrive unchanged. A stand-in "java" prints its arguments
 * one per line instead of starting a JVM.
 */
class LauncherScriptTest {
    private static final Path SCRIPT = Path.of("..", "bin", "vaai-target").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private record Run(int exit, List<String> args, String stderr) {
    }

    private Run launch(Map<String, String> env, String... targetArgs) throws IOException, InterruptedException {
        Path fakeJava = dir.resolve("java");
        Files.writeString(fakeJava, "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n");
        Files.setPosixFilePermissions(fakeJava, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path jar = dir.resolve("iscsi-target.jar");
        Files.writeString(jar, "not really a jar");
        ProcessBuilder pb = new ProcessBuilder();
        pb.command().add("sh");
        pb.command().add(SCRIPT.toString());
        pb.command().addAll(List.of(targetArgs));
        pb.environment().remove("JAVA_OPTS");
        pb.environment().remove("VAAI_TARGET_MEMORY");
        pb.environment().put("JAVA", fakeJava.toString());
        pb.environment().put("VAAI_TARGET_JAR", jar.toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out.lines().toList(), err);
    }

    @Test
    void boundsTheHeapAndPassesTheTargetArgumentsUnchanged() throws Exception {
        Run r = launch(Map.of(), "--portal", "127.0.0.1:3260", "--lun", "/tmp/a b.img");
        assertEquals(0, r.exit(), r.stderr());
        assertEquals(List.of("-Xms32m", "-Xmx256m", "-XX:MaxDirectMemorySize=1g", "-jar",
                dir.resolve("iscsi-target.jar").toString(), "--portal", "127.0.0.1:3260", "--lun", "/tmp/a b.img"),
                r.args());
    }

    @Test
    void javaOptsComeAfterTheMemorySettingsSoTheyWin() throws Exception {
        Run r = launch(Map.of("JAVA_OPTS", "-Xmx1g -Dx=y"), "--help");
        assertEquals(List.of("-Xms32m", "-Xmx256m", "-XX:MaxDirectMemorySize=1g", "-Xmx1g", "-Dx=y", "-jar",
                dir.resolve("iscsi-target.jar").toString(), "--help"), r.args());
    }

    @Test
    void memorySettingsCanBeReplaced() throws Exception {
        Run r = launch(Map.of("VAAI_TARGET_MEMORY", "-Xmx64m"), "--help");
        assertEquals(List.of("-Xmx64m", "-jar", dir.resolve("iscsi-target.jar").toString(), "--help"), r.args());
    }

    @Test
    void anEmptyMemorySettingLeavesTheJvmDefaults() throws Exception {
        Run r = launch(Map.of("VAAI_TARGET_MEMORY", ""), "--help");
        assertEquals(List.of("-jar", dir.resolve("iscsi-target.jar").toString(), "--help"), r.args());
    }

    @Test
    void aMissingJarIsNamedWithTheFix() throws Exception {
        Run r = launch(Map.of("VAAI_TARGET_JAR", dir.resolve("missing.jar").toString()));
        assertEquals(2, r.exit());
        assertTrue(r.stderr().contains("missing.jar not found") && r.stderr().contains("mvn -DskipTests package"),
                r.stderr());
    }
}
