package org.vaaitarget.core.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void createsThenReplacesAndLeavesNoTemporaryFile() throws IOException {
        Path f = dir.resolve("lun.img.pr");
        AtomicFiles.replace(f, "one\n".getBytes(StandardCharsets.UTF_8));
        AtomicFiles.replace(f, "two\n".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals("two\n".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(f));
        assertEquals(List.of(f), list());
    }

    @Test
    void shorterContentLeavesNoTailOfTheOldFile() throws IOException {
        Path f = dir.resolve("lun.img.id");
        AtomicFiles.replace(f, "a long first version\n".getBytes(StandardCharsets.UTF_8));
        AtomicFiles.replace(f, "x".getBytes(StandardCharsets.UTF_8));
        assertEquals("x", Files.readString(f));
    }

    @Test
    void aMissingDirectoryIsAnErrorNamingTheFile() {
        Path f = dir.resolve("gone").resolve("lun.img.id");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.replace(f, new byte[] {1}));
        assertTrue(e.getMessage().contains("lun.img.id") || e.getMessage().contains("gone"), e.getMessage());
    }

    @Test
    void deleteSaysWhetherTheFileWasThere() throws IOException {
        Path f = dir.resolve("lun.img.pr");
        assertFalse(AtomicFiles.delete(f));
        AtomicFiles.replace(f, new byte[] {1});
        assertTrue(AtomicFiles.delete(f));
        assertFalse(Files.exists(f));
    }

    private List<Path> list() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
