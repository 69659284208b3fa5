package org.vaaitarget.core.spc.xcopy;

import static org.vaaitarget.core.dispatch.ParameterData.put16;
import static org.vaaitarget.core.dispatch.ParameterData.put32;

import java.io.ByteArrayOutputStream;

/**
 * The two places the copy manager describes itself, both laid out from the same {@link CopyLimits}
 * the parser enforces: RECEIVE COPY RESULTS OPERATING PARAMETERS and the Third-party Copy VPD page.
 */
public final class CopyManagerPages {
    private CopyManagerPages() {
    }

    /** OPERATING PARAMETERS (SPC-4 6.18.4), 44 bytes plus one byte per implemented descriptor type. */
    static byte[] operatingParameters(CopyLimits l) {
        int[] types = CopyLimits.IMPLEMENTED_DESCRIPTOR_TYPES;
        byte[] d = new byte[44 + types.length];
        put32(d, 0, d.length - 4);                              // AVAILABLE DATA
        d[4] = 0x01;                                            // SNLID: LIST ID USAGE 11b is accepted
        put16(d, 8, l.maxCscdDescriptors());
        put16(d, 10, l.maxSegmentDescriptors());
        put32(d, 12, l.maxDescriptorListLength());
        put32(d, 16, l.maxSegmentBytes());
        put32(d, 20, l.maxInlineDataLength());
        // 24-27 HELD DATA LIMIT 0 and 28-31 MAXIMUM STREAM DEVICE TRANSFER SIZE 0: neither is supported.
        put16(d, 34, l.totalConcurrentCopies());
        d[36] = (byte) l.maxIdentifiedCopies();
        d[37] = (byte) l.dataSegmentGranularityLog2();
        // 38 INLINE DATA GRANULARITY, 39 HELD DATA GRANULARITY: 0 (not supported).
        d[43] = (byte) types.length;                            // IMPLEMENTED DESCRIPTOR LIST LENGTH
        for (int i = 0; i < types.length; i++) {
            d[44 + i] = (byte) types[i];
        }
        return d;
    }

    /**
     * Third-party Copy VPD page 8Fh (SPC-5 7.7.17) for LID1 copies: Supported Commands (0001h),
     * Parameter Data (0004h), Supported Descriptors (0008h), Supported CSCD Descriptor IDs (000Ch,
     * empty: CSCDs are addressed by index only) and General Copy Operations (8001h). Each descriptor's
     * length excludes its 4-byte header and is padded to a multiple of 4.
     */
    public static byte[] thirdPartyCopyPage(CopyLimits l) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        // 0001h: EXTENDED COPY(LID1) and the RECEIVE COPY RESULTS service actions served.
        int[] receiveSas = ReceiveCopyResultsHandler.SERVICE_ACTIONS;
        byte[] commands = new byte[1 + 3 + 2 + receiveSas.length];
        commands[0] = (byte) (commands.length - 1);             // COMMANDS SUPPORTED LIST LENGTH
        commands[1] = (byte) ExtendedCopyHandler.OPCODE;
        commands[2] = 1;
        commands[3] = (byte) ExtendedCopyHandler.SA_LID1;
        commands[4] = (byte) ReceiveCopyResultsHandler.OPCODE;
        commands[5] = (byte) receiveSas.length;
        for (int i = 0; i < receiveSas.length; i++) {
            commands[6 + i] = (byte) receiveSas[i];
        }
        descriptor(body, 0x0001, commands);
        // 0004h: Parameter Data, fixed length 1Ch (SPC-5 7.7.18.4: bytes 4-7 of the descriptor are
        // reserved; MAXIMUM CSCD DESCRIPTOR COUNT at 8, SEGMENT DESCRIPTOR COUNT at 10, DESCRIPTOR LIST
        // LENGTH at 12, INLINE DATA LENGTH at 16). `params` starts after the 4-byte type/length header.
        byte[] params = new byte[0x1C];
        put16(params, 4, l.maxCscdDescriptors());
        put16(params, 6, l.maxSegmentDescriptors());
        put32(params, 8, l.maxDescriptorListLength());
        put32(params, 12, l.maxInlineDataLength());
        descriptor(body, 0x0004, params);
        // 0008h: Supported Descriptors.
        int[] types = CopyLimits.IMPLEMENTED_DESCRIPTOR_TYPES;
        byte[] supported = new byte[1 + types.length];
        supported[0] = (byte) types.length;
        for (int i = 0; i < types.length; i++) {
            supported[1 + i] = (byte) types[i];
        }
        descriptor(body, 0x0008, supported);
        // 000Ch: Supported CSCD Descriptor IDs, an empty list.
        descriptor(body, 0x000C, new byte[2]);
        // 8001h: General Copy Operations, fixed length 20h.
        byte[] general = new byte[0x20];
        put32(general, 0, l.totalConcurrentCopies());
        put32(general, 4, l.maxIdentifiedCopies());
        put32(general, 8, l.maxSegmentBytes());
        general[12] = (byte) l.dataSegmentGranularityLog2();
        descriptor(body, 0x8001, general);

        byte[] b = body.toByteArray();
        byte[] page = new byte[4 + b.length];
        page[1] = (byte) 0x8F;
        put16(page, 2, b.length);
        System.arraycopy(b, 0, page, 4, b.length);
        return page;
    }

    private static void descriptor(ByteArrayOutputStream out, int type, byte[] content) {
        int padded = (content.length + 3) & ~3;
        byte[] d = new byte[4 + padded];
        put16(d, 0, type);
        put16(d, 2, padded);
        System.arraycopy(content, 0, d, 4, content.length);
        out.writeBytes(d);
    }
}
