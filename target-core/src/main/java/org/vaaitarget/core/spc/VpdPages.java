package org.vaaitarget.core.spc;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.vaaitarget.core.dispatch.HandlerTable;
import org.vaaitarget.core.dispatch.Task;
import org.vaaitarget.core.lu.LogicalUnit;
import org.vaaitarget.core.lu.LunIdentity;
import org.vaaitarget.core.lu.LunLimits;
import org.vaaitarget.core.spc.xcopy.CopyLimits;
import org.vaaitarget.core.spc.xcopy.CopyManagerPages;
import org.vaaitarget.core.spc.xcopy.ExtendedCopyHandler;
import org.vaaitarget.core.store.StoreCapabilities;
import org.vaaitarget.core.dispatch.ParameterData;

/**
 * The vital product data pages (SPC-5 7.7, SBC-4 6.6), one builder per page in a table; page 00h lists
 * exactly the table's pages. Every value is read from {@link LunIdentity}, {@link LunLimits},
 * {@link StoreCapabilities} and the dispatch table, the same objects the handlers enforce
 * (DESIGN 1.5 "advertise what you enforce"):
 * <ul>
 *   <li>B0h advertises MAXIMUM COMPARE AND WRITE LENGTH only when COMPARE AND WRITE (89h) is served,
 *       the UNMAP limits only when UNMAP (42h) is served and the store can unmap, MAXIMUM WRITE SAME
 *       LENGTH only when WRITE SAME (41h/93h) is served. WSNZ stays 0: WRITE SAME with 0 blocks means
 *       "to the end of the medium", bounded by MAXIMUM WRITE SAME LENGTH (see WriteSameHandler). The
 *       unmap granularity is valid (UGAVALID) with alignment 0.</li>
 *   <li>8Fh (Third-party Copy) is served, and listed in 00h, only when EXTENDED COPY(LID1) is, with
 *       that handler's limits.</li>
 *   <li>B2h: PROVISIONING TYPE is non-zero exactly when READ CAPACITY(16) sets LBPME, i.e. when
 *       {@link StoreCapabilities#unmapSupported()}; LBPRZ is {@link StoreCapabilities#unmapReadsZeros()};
 *       LBPU / LBPWS / LBPWS10 need the capability and the served command.</li>
 * </ul>
 */
final class VpdPages {
    private VpdPages() {
    }

    private static final int UNMAP = 0x42;
    private static final int WRITE_SAME_10 = 0x41;
    private static final int WRITE_SAME_16 = 0x93;
    private static final int WRITE_ATOMIC_16 = 0x9C;
    private static final int COMPARE_AND_WRITE = 0x89;

    /** One page: its builder and whether it is served to this task (derived from the command table). */
    private record Page(Predicate<Task> served, Function<Task, byte[]> builder) {
    }

    private static final Predicate<Task> ALWAYS = t -> true;

    /** The pages in ascending order (SPC-5 7.7.14 requires ascending order in page 00h). */
    private static final Map<Integer, Page> PAGES = new LinkedHashMap<>();

    static {
        PAGES.put(0x00, new Page(ALWAYS, VpdPages::supportedPages));
        PAGES.put(0x80, new Page(ALWAYS, VpdPages::unitSerialNumber));
        PAGES.put(0x83, new Page(ALWAYS, VpdPages::deviceIdentification));
        PAGES.put(0x86, new Page(ALWAYS, VpdPages::extendedInquiry));
        PAGES.put(0x8F, new Page(t -> copyLimits(t) != null, VpdPages::thirdPartyCopy));
        PAGES.put(0xB0, new Page(ALWAYS, VpdPages::blockLimits));
        PAGES.put(0xB1, new Page(ALWAYS, VpdPages::blockDeviceCharacteristics));
        PAGES.put(0xB2, new Page(ALWAYS, VpdPages::logicalBlockProvisioning));
    }

    /** The page for an LU that exists, or null when the page is not supported. */
    static byte[] build(int pageCode, Task task) {
        Page page = PAGES.get(pageCode);
        return page == null || !page.served().test(task) ? null : page.builder().apply(task);
    }

    /** A page with its 4-byte header: peripheral qualifier 0 / type 0, the page code, PAGE LENGTH. */
    private static byte[] page(int code, int pageLength) {
        byte[] p = new byte[4 + pageLength];
        p[1] = (byte) code;
        ParameterData.put16(p, 2, pageLength);
        return p;
    }

    private static byte[] supportedPages(Task task) {
        List<Integer> served = new ArrayList<>();
        PAGES.forEach((code, page) -> {
            if (page.served().test(task)) {
                served.add(code);
            }
        });
        byte[] p = page(0x00, served.size());
        int i = 4;
        for (int code : served) {
            p[i++] = (byte) code;
        }
        return p;
    }

    /**
     * 8Fh (SPC-5 7.7.17), served exactly when EXTENDED COPY(LID1) is: laid out from the limits of the
     * handler that serves 83h/00h, the same object its parser enforces.
     */
    private static byte[] thirdPartyCopy(Task task) {
        return CopyManagerPages.thirdPartyCopyPage(copyLimits(task));
    }

    /** The limits of the EXTENDED COPY(LID1) handler of this device, or null when none is served. */
    static CopyLimits copyLimits(Task task) {
        if (task.context() == null) {
            return null;
        }
        HandlerTable.Lookup found = task.context().commands().lookup(new byte[] {(byte) 0x83, 0x00});
        if (found instanceof HandlerTable.Found f && f.entry().handler() instanceof ExtendedCopyHandler x) {
            return x.limits();
        }
        return null;
    }

    /** 80h (SPC-5 7.7.19). */
    private static byte[] unitSerialNumber(Task task) {
        byte[] serial = task.lu().identity().serial().getBytes(StandardCharsets.US_ASCII);
        byte[] p = page(0x80, serial.length);
        System.arraycopy(serial, 0, p, 4, serial.length);
        return p;
    }

    /**
     * 83h (SPC-5 7.7.6). LU designators (association 00b) are the same on every path: NAA 6 from the
     * identity and a T10 vendor ID designator (vendor + serial). Port and device designators: the
     * relative target port of this nexus (association 01b) and the SCSI target device name
     * (association 10b, SCSI name string, UTF-8, null-terminated and padded to a multiple of 4).
     */
    private static byte[] deviceIdentification(Task task) {
        LunIdentity id = task.lu().identity();
        byte[] naa = designator(0x01, 0x03, id.naa());                        // binary, LU, NAA
        byte[] vendorSerial = new byte[8 + id.serial().length()];
        ParameterData.putAscii(vendorSerial, 0, 8, id.vendor());
        ParameterData.putAscii(vendorSerial, 8, id.serial().length(), id.serial());
        byte[] t10 = designator(0x02, 0x01, vendorSerial);                    // ASCII, LU, T10 vendor ID
        int rtp = task.nexus().relativeTargetPort();
        byte[] port = rtp > 0
                ? designator(0x51, 0x94, new byte[] {0, 0, (byte) (rtp >>> 8), (byte) rtp}) // iSCSI, PIV, port, RTPI
                : new byte[0];
        byte[] device = designator(0x53, 0xA8, scsiName(task.nexus().targetName())); // iSCSI, UTF-8, PIV, device, name
        // TARGET PORT GROUP (SPC-5 7.7.6.8): with several gateways, this gateway's group (its id = the relative port)
        byte[] group = task.lu().portGroups() != null && rtp > 0
                ? designator(0x01, 0x15, new byte[] {0, 0, (byte) (rtp >>> 8), (byte) rtp}) // binary, port, TPG
                : new byte[0];
        int len = naa.length + t10.length + port.length + group.length + device.length;
        byte[] p = page(0x83, len);
        int off = 4;
        for (byte[] d : new byte[][] {naa, t10, port, group, device}) {
            System.arraycopy(d, 0, p, off, d.length);
            off += d.length;
        }
        return p;
    }

    private static byte[] designator(int protocolAndCodeSet, int pivAssociationType, byte[] value) {
        byte[] d = new byte[4 + value.length];
        d[0] = (byte) protocolAndCodeSet;
        d[1] = (byte) pivAssociationType;
        d[3] = (byte) value.length;
        System.arraycopy(value, 0, d, 4, value.length);
        return d;
    }

    /** SPC-5 7.7.6.10: null-terminated, length a multiple of 4, at most 252 bytes here. */
    private static byte[] scsiName(String name) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(utf8.length, 251);
        byte[] out = new byte[(n + 1 + 3) & ~3];
        System.arraycopy(utf8, 0, out, 0, n);
        return out;
    }

    /** 86h (SPC-5 7.7.8). */
    private static byte[] extendedInquiry(Task task) {
        byte[] p = page(0x86, 0x3C);
        p[5] = 0x01;                                                          // SIMPSUP
        p[6] = (byte) (task.lu().store().capabilities().volatileWriteCache() ? 0x01 : 0x00); // V_SUP
        p[7] = 0x01;                                                          // LUICLR
        return p;
    }

    /** B0h (SBC-4 6.6.4). */
    private static byte[] blockLimits(Task task) {
        LogicalUnit lu = task.lu();
        LunLimits l = lu.limits();
        byte[] p = page(0xB0, 0x3C);
        if (serves(task, COMPARE_AND_WRITE)) {
            p[5] = (byte) Math.min(255, Math.max(0, l.maxCompareAndWriteBlocks()));
        }
        ParameterData.put16(p, 6, 1 << lu.physicalBlockExponent()); // OPTIMAL TRANSFER LENGTH GRANULARITY
        ParameterData.put32(p, 8, l.maxTransferBlocks());
        ParameterData.put32(p, 12, l.optimalTransferBlocks());
        if (unmapServed(task)) {
            ParameterData.put32(p, 20, Math.min(0xFFFF_FFFFL, l.maxUnmapLbaCount()));
            ParameterData.put32(p, 24, l.maxUnmapDescriptors());
            ParameterData.put32(p, 28, l.unmapGranularityBlocks());
            p[32] = (byte) 0x80;                    // UGAVALID, UNMAP GRANULARITY ALIGNMENT 0
        }
        if (serves(task, WRITE_SAME_16) || serves(task, WRITE_SAME_10)) {
            ParameterData.put64(p, 36, l.maxWriteSameBlocks());
        }
        long atomic = Math.min(lu.store().maxAtomicWriteBytes() / lu.blockSize(), l.maxTransferBlocks());
        if (serves(task, WRITE_ATOMIC_16) && atomic > 0) {
            // What sbc.WriteAtomicHandler enforces: ATOMIC ALIGNMENT and GRANULARITY 0 (none), boundaries up to the maximum.
            ParameterData.put32(p, 44, atomic);                 // MAXIMUM ATOMIC TRANSFER LENGTH
            ParameterData.put32(p, 56, atomic);                 // MAXIMUM ATOMIC TRANSFER LENGTH WITH ATOMIC BOUNDARY
            ParameterData.put32(p, 60, atomic);                 // MAXIMUM ATOMIC BOUNDARY SIZE
        }
        return p;
    }

    /**
     * B1h (SBC-4 6.6.2): MEDIUM ROTATION RATE 0001h, a non-rotating medium. WABEREQ 01b on LUs that serve
     * SANITIZE BLOCK ERASE (reads after it succeed and return zeros), else 00b; WACEREQ 00b (no CRYPTOGRAPHIC
     * ERASE).
     */
    private static byte[] blockDeviceCharacteristics(Task task) {
        byte[] p = page(0xB1, 0x3C);
        ParameterData.put16(p, 4, 0x0001);
        if (task.lu().sanitizer().allowed() && task.lu().store().capabilities().unmapSupported()) {
            p[7] = 0x40;                                                      // WABEREQ 01b
        }
        return p;
    }

    /** B2h (SBC-4 6.6.5). */
    private static byte[] logicalBlockProvisioning(Task task) {
        StoreCapabilities caps = task.lu().store().capabilities();
        byte[] p = page(0xB2, 0x04);
        int flags = 0;
        if (unmapServed(task)) {
            flags |= 0x80;                                                    // LBPU
        }
        if (caps.unmapSupported() && serves(task, WRITE_SAME_16)) {
            flags |= 0x40;                                                    // LBPWS
        }
        if (caps.unmapSupported() && serves(task, WRITE_SAME_10)) {
            flags |= 0x20;                                                    // LBPWS10
        }
        if (caps.unmapReadsZeros()) {
            flags |= 0x04;                                                    // LBPRZ 001b
        }
        p[5] = (byte) flags;
        p[6] = (byte) provisioningType(caps);
        return p;
    }

    /** 000b fully provisioned (LBPME=0), 001b resource provisioned, 010b thin provisioned. */
    static int provisioningType(StoreCapabilities caps) {
        if (!caps.unmapSupported()) {
            return 0;
        }
        return caps.thinProvisioned() ? 0x2 : 0x1;
    }

    private static boolean unmapServed(Task task) {
        return task.lu().store().capabilities().unmapSupported() && serves(task, UNMAP);
    }

    private static boolean serves(Task task, int opcode) {
        return task.context() != null && task.context().commands().serves(opcode);
    }
}
