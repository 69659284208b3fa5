package org.vaaitarget.core.spc.xcopy;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.vaaitarget.core.dispatch.CommandHandler;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.lu.LunIdentity;
import org.vaaitarget.core.lu.LunLimits;
import org.vaaitarget.core.lu.lock.StripedRangeLockManager;
import org.vaaitarget.core.sbc.SbcHandlers;
import org.vaaitarget.core.spc.SpcHandlers;
import org.vaaitarget.core.store.StoreCapabilities;
import org.vaaitarget.core.store.memory.MemoryBlockStore;
import org.vaaitarget.core.testkit.Harness;

/** LUs on memory stores with real range locks, and an EXTENDED COPY parameter list builder. */
final class XcopyFixture {
    static final int BS = 512;

    private XcopyFixture() {
    }

    static byte[] naa(int seed) {
        byte[] naa = new byte[16];
        naa[0] = 0x60;
        naa[1] = 0x0A;
        naa[14] = (byte) (seed >>> 8);
        naa[15] = (byte) seed;
        return naa;
    }

    static LogicalUnit lu(int number, int naaSeed, long blocks, Executor executor) {
        LunIdentity id = new LunIdentity(naa(naaSeed), "SER" + naaSeed, "VAAITGT", "FILEDISK", "0001");
        MemoryBlockStore store = new MemoryBlockStore(BS, blocks, new StoreCapabilities(true, true, true, true),
                executor);
        return new LogicalUnit(number, store, LunLimits.defaults(BS), id, new StripedRangeLockManager(8, 16));
    }

    static LogicalUnit lu(int number, long blocks) {
        return lu(number, number, blocks, null);
    }

    static MemoryBlockStore store(LogicalUnit lu) {
        return (MemoryBlockStore) lu.store();
    }

    static List<CommandHandler> handlers(CopyLimits limits) {
        List<CommandHandler> all = new ArrayList<>(SpcHandlers.all());
        all.addAll(SbcHandlers.all());
        all.addAll(XcopyHandlers.all(limits));
        return all;
    }

    static Harness harness(CopyLimits limits, LogicalUnit... luns) {
        return Harness.of(List.of(luns), handlers(limits));
    }

    /** EXTENDED COPY(LID1) CDB with PARAMETER LIST LENGTH {@code length}. */
    static byte[] xcopyCdb(int length) {
        byte[] c = new byte[16];
        c[0] = (byte) 0x83;
        c[10] = (byte) (length >>> 24);
        c[11] = (byte) (length >>> 16);
        c[12] = (byte) (length >>> 8);
        c[13] = (byte) length;
        return c;
    }

    /** RECEIVE COPY RESULTS CDB. */
    static byte[] rcrCdb(int sa, int listId, int alloc) {
        byte[] c = new byte[16];
        c[0] = (byte) 0x84;
        c[1] = (byte) sa;
        c[2] = (byte) listId;
        c[10] = (byte) (alloc >>> 24);
        c[11] = (byte) (alloc >>> 16);
        c[12] = (byte) (alloc >>> 8);
        c[13] = (byte) alloc;
        return c;
    }

    static byte[] pattern(int blocks, int seed) {
        byte[] b = new byte[blocks * BS];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (seed * 31 + i / BS * 7 + i);
        }
        return b;
    }

    /** Builds a parameter list: header, CSCDs, segments. */
    static final class ListBuilder {
        int listId = 0;
        int usage = 0b11;
        long inline;
        private final ByteArrayOutputStream cscds = new ByteArrayOutputStream();
        private final ByteArrayOutputStream segments = new ByteArrayOutputStream();

        ListBuilder id(int id, int listIdUsage) {
            this.listId = id;
            this.usage = listIdUsage;
            return this;
        }

        /** An E4h CSCD naming {@code naa} (designator length 16). */
        ListBuilder cscd(byte[] naa) {
            return cscd(0xE4, naa, naa.length, 0);
        }

        ListBuilder cscd(int type, byte[] designator, int declaredLength, int byte1) {
            byte[] d = new byte[32];
            d[0] = (byte) type;
            d[1] = (byte) byte1;
            d[4] = 0x01;                      // binary
            d[5] = 0x03;                      // LU association, NAA
            d[7] = (byte) declaredLength;
            System.arraycopy(designator, 0, d, 8, Math.min(20, designator.length));
            d[30] = (byte) (BS >>> 8);
            d[31] = (byte) BS;
            cscds.writeBytes(d);
            return this;
        }

        ListBuilder segment(int src, int dst, int blocks, long srcLba, long dstLba) {
            return segment(0x02, 0x18, src, dst, blocks, srcLba, dstLba);
        }

        ListBuilder segment(int type, int descriptorLength, int src, int dst, int blocks, long srcLba, long dstLba) {
            byte[] d = new byte[descriptorLength + 4];
            d[0] = (byte) type;
            d[2] = (byte) (descriptorLength >>> 8);
            d[3] = (byte) descriptorLength;
            d[4] = (byte) (src >>> 8);
            d[5] = (byte) src;
            d[6] = (byte) (dst >>> 8);
            d[7] = (byte) dst;
            if (d.length >= 28) {
                d[10] = (byte) (blocks >>> 8);
                d[11] = (byte) blocks;
                for (int i = 0; i < 8; i++) {
                    d[12 + i] = (byte) (srcLba >>> (56 - 8 * i));
                    d[20 + i] = (byte) (dstLba >>> (56 - 8 * i));
                }
            }
            segments.writeBytes(d);
            return this;
        }

        ListBuilder inline(long n) {
            this.inline = n;
            return this;
        }

        byte[] build() {
            byte[] c = cscds.toByteArray();
            byte[] s = segments.toByteArray();
            byte[] p = new byte[16 + c.length + s.length];
            p[0] = (byte) listId;
            p[1] = (byte) (usage << 3);
            p[2] = (byte) (c.length >>> 8);
            p[3] = (byte) c.length;
            p[8] = (byte) (s.length >>> 24);
            p[9] = (byte) (s.length >>> 16);
            p[10] = (byte) (s.length >>> 8);
            p[11] = (byte) s.length;
            p[12] = (byte) (inline >>> 24);
            p[13] = (byte) (inline >>> 16);
            p[14] = (byte) (inline >>> 8);
            p[15] = (byte) inline;
            System.arraycopy(c, 0, p, 16, c.length);
            System.arraycopy(s, 0, p, 16 + c.length, s.length);
            return p;
        }
    }
}
