package org.vaaitarget.server.testing;

import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.vaaitarget.server.pdu.Opcode;
import org.vaaitarget.server.pdu.Pdu;

/** Initiator-side PDUs for tests (RFC 7143 11.12, 11.10, 11.18, 11.14 layouts). */
public final class Requests {
    public static final long ISID = 0x00023d000001L;

    private Requests() {
    }

    /** "k=v\0..." from alternating keys and values. */
    public static byte[] text(String... kv) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < kv.length; i += 2) {
            b.append(kv[i]).append('=').append(kv[i + 1]).append('\0');
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A Login Request. */
    public static Pdu login(int csg, int nsg, boolean transit, boolean cont, int itt, int cmdSn, int expStatSn,
                            int tsih, byte[] text) {
        Pdu p = Pdu.create(Opcode.LOGIN_REQUEST).setImmediate(true);
        p.setFlags((transit ? 0x80 : 0) | (cont ? 0x40 : 0) | (csg << 2) | (transit ? nsg : 0));
        p.setU8(2, 0).setU8(3, 0);
        p.setU16(8, (int) (ISID >>> 32)).setU32(10, (int) ISID).setU16(14, tsih);
        p.setItt(itt).setU16(20, 0).setU32(24, cmdSn).setU32(28, expStatSn);
        p.setData(Unpooled.wrappedBuffer(text));
        return p;
    }

    /** A Login Request with T=1 from {@code csg} to {@code nsg}, ITT 1, CmdSN 10, TSIH 0. */
    public static Pdu login(int csg, int nsg, String... kv) {
        return login(csg, nsg, true, false, 1, 10, 0, 0, text(kv));
    }

    public static Pdu textRequest(int itt, int ttt, int cmdSn, boolean cont, byte[] text) {
        Pdu p = Pdu.create(Opcode.TEXT_REQUEST).setFlags(cont ? 0x40 : 0x80).setItt(itt);
        p.setU32(20, ttt).setU32(24, cmdSn);
        p.setData(Unpooled.wrappedBuffer(text));
        return p;
    }

    public static Pdu nopOut(int itt, int cmdSn, byte[] ping) {
        Pdu p = Pdu.create(Opcode.NOP_OUT).setImmediate(true).setFlags(0x80).setItt(itt);
        p.setU32(20, 0xFFFFFFFF).setU32(24, cmdSn);
        p.setData(Unpooled.wrappedBuffer(ping));
        return p;
    }

    public static Pdu logout(int itt, int cmdSn, int reason) {
        return Pdu.create(Opcode.LOGOUT_REQUEST).setImmediate(true).setFlags(0x80 | reason).setItt(itt)
                .setU32(24, cmdSn);
    }

    /** Parses a text segment into an ordered map (the last value wins for repeated keys). */
    public static Map<String, String> pairs(Pdu p) {
        Map<String, String> m = new LinkedHashMap<>();
        String s = p.data().toString(StandardCharsets.UTF_8);
        for (String kv : s.split("\0")) {
            if (!kv.isEmpty()) {
                int eq = kv.indexOf('=');
                m.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return m;
    }
}
