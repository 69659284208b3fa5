package org.vaaitarget.core.lu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vaaitarget.core.config.LunConfig;
import org.vaaitarget.core.config.LunConfig.WriteCacheMode;
import org.vaaitarget.core.lu.lock.LockMode;
import org.vaaitarget.core.lu.lock.RangeLock;
import org.vaaitarget.core.assembly.LogicalUnits;

class LogicalUnitsTest {
    @TempDir
    Path dir;

    private LunConfig config(String name, String product) {
        return new LunConfig(dir.resolve(name), 8L << 20, 512, WriteCacheMode.WRITE_BACK, product);
    }

    @Test
    void opensAWorkingLunWithDefaultsAndIdentity() throws Exception {
        try (LogicalUnit lu = LogicalUnits.open(3, config("lun3.img", null))) {
            assertEquals(3, lu.number());
            assertEquals(512, lu.blockSize());
            assertEquals((8L << 20) / 512, lu.blockCount());
            assertEquals(LunLimits.defaults(512), lu.limits());
            assertTrue(lu.mode().writeCacheEnabled(), "write-back store: WCE=1");
            LunIdentity id = lu.identity();
            assertEquals("VAAITGT ", id.vendor());
            assertEquals("VAAI-DISK", id.product());
            assertEquals("0001", id.revision());
            assertEquals(0x60, id.naa()[0] & 0xF0);
            int companyId = ((id.naa()[0] & 0x0F) << 20) | ((id.naa()[1] & 0xFF) << 12)
                    | ((id.naa()[2] & 0xFF) << 4) | ((id.naa()[3] & 0xF0) >>> 4);
            assertEquals(LunIdentityStore.COMPANY_ID, companyId);
            assertTrue(Files.exists(dir.resolve("lun3.img.id")));

            try (RangeLock lock = lu.locks().acquire(0, 8, LockMode.EXCLUSIVE).get(30, TimeUnit.SECONDS)) {
                ByteBuf data = io.netty.buffer.Unpooled.directBuffer().writeZero(512 * 8);
                try {
                    lu.store().write(lock.lba(), data, true).get(30, TimeUnit.SECONDS);
                } finally {
                    data.release();
                }
            }
            assertEquals(0, lu.locks().outstanding());
        }
    }

    @Test
    void identityIsStableAcrossReopenAndUniquePerLun() throws Exception {
        LunIdentity first;
        try (LogicalUnit lu = LogicalUnits.open(0, config("a.img", "MY-PRODUCT"))) {
            first = lu.identity();
        }
        String idFileBefore = Files.readString(dir.resolve("a.img.id"));
        try (LogicalUnit lu = LogicalUnits.open(0, config("a.img", "MY-PRODUCT"))) {
            assertArrayEquals(first.naa(), lu.identity().naa());
            assertEquals(first.serial(), lu.identity().serial());
            assertEquals("MY-PRODUCT", lu.identity().product());
        }
        assertEquals(idFileBefore, Files.readString(dir.resolve("a.img.id")), "the identity file is never rewritten");
        try (LogicalUnit other = LogicalUnits.open(1, config("b.img", "MY-PRODUCT"))) {
            assertFalse(Arrays.equals(first.naa(), other.identity().naa()));
            assertFalse(first.serial().equals(other.identity().serial()));
        }
    }

    @Test
    void corruptIdentityIsAnErrorNamingTheFileNeverRegenerated() throws Exception {
        LogicalUnits.open(0, config("c.img", null)).close();
        Path idFile = dir.resolve("c.img.id");
        String good = Files.readString(idFile);
        for (String bad : new String[] {"", "naa=12345\nserial=X\n", good.replaceFirst("naa=6", "naa=5"),
                good.replaceFirst("serial=.*", "serial=")}) {
            Files.writeString(idFile, bad, StandardCharsets.ISO_8859_1);
            IOException e = assertThrows(IOException.class, () -> LogicalUnits.open(0, config("c.img", null)));
            assertTrue(e.getMessage().contains(idFile.toString()), e.getMessage());
            assertEquals(bad, Files.readString(idFile), "a corrupt identity must be left for the operator");
        }
    }

    @Test
    void badProductIdIsRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> LogicalUnits.open(0, config("d.img", "THIS-PRODUCT-ID-IS-TOO-LONG")));
    }

    @Test
    void newNaaHasTypeSixAndRandomTail() {
        byte[] a = LunIdentityStore.newNaa();
        byte[] b = LunIdentityStore.newNaa();
        assertEquals(16, a.length);
        assertArrayEquals(Arrays.copyOf(a, 3), Arrays.copyOf(b, 3));
        assertEquals(a[3] & 0xF0, b[3] & 0xF0);
        assertFalse(Arrays.equals(Arrays.copyOfRange(a, 8, 16), Arrays.copyOfRange(b, 8, 16)));
    }
}
