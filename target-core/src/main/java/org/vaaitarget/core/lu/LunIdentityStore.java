package org.vaaitarget.core.lu;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vaaitarget.core.util.AtomicFiles;

/**
 * Keeps a LUN's identity beside its file in {@code <file>.id}: generated once, read back on every later start,
 * so that the NAA designator and unit serial number never change (ESXI-NOTES 2.7: a changed designator is a
 * lost device). A missing file is created atomically ({@link AtomicFiles}); an unreadable
 * or corrupt one is an error, never silently regenerated.
 *
 * <p>NAA layout (SPC-5 7.7.6.6.4, NAA IEEE Registered Extended): byte 0 high nibble 6h; then the 24-bit IEEE
 * company id; then 100 random bits (36-bit vendor specific identifier + 64-bit extension) from SecureRandom.
 *
 * <p>Company id choice: {@value #COMPANY_ID_HEX}. This project has no IEEE assignment, so it uses a value
 * whose first octet has the IEEE "X" (locally administered, 02h) bit set and the M (01h) bit clear: no IEEE
 * MA-L OUI has that bit set, so these designators cannot collide with a real vendor's registered ones.
 * Uniqueness between LUNs comes from the 100 random bits.
 */
public final class LunIdentityStore {
    private static final Logger LOG = LoggerFactory.getLogger(LunIdentityStore.class);

    /** The IEEE company id field; see the class comment for why this value. */
    static final int COMPANY_ID = 0x0AA17E;
    static final String COMPANY_ID_HEX = "0AA17E";
    /** T10 VENDOR IDENTIFICATION, exactly 8 characters. */
    public static final String VENDOR = "VAAITGT ";
    public static final String DEFAULT_PRODUCT = "VAAI-DISK";
    public static final String REVISION = "0001";

    private static final String KEY_NAA = "naa";
    private static final String KEY_SERIAL = "serial";
    private static final String KEY_CREATED = "created";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private LunIdentityStore() {
    }

    /** The identity file kept beside {@code lunFile}. */
    public static Path identityFile(Path lunFile) {
        Path absolute = lunFile.toAbsolutePath();
        return absolute.resolveSibling(absolute.getFileName() + ".id");
    }

    /**
     * Reads the identity kept beside {@code lunFile}, creating it first when there is none.
     *
     * @param productId PRODUCT IDENTIFICATION (at most 16 printable ASCII characters), null for {@value #DEFAULT_PRODUCT}
     * @throws IOException when the identity file cannot be read or written or is corrupt; the message names it
     */
    public static LunIdentity loadOrCreate(Path lunFile, String productId) throws IOException {
        String product = checkedProduct(productId);
        Path idFile = identityFile(lunFile);
        if (!Files.exists(idFile)) {
            create(idFile);
        }
        return read(idFile, product);
    }

    private static LunIdentity read(Path idFile, String product) throws IOException {
        return parse(Files.readString(idFile, StandardCharsets.ISO_8859_1), product, idFile.toString());
    }

    /**
     * An identity from the properties text an identity file holds (the same text other backends keep elsewhere).
     *
     * @param where names the place the text came from, for the error message
     * @throws IOException when the text is corrupt; the message names {@code where}
     */
    public static LunIdentity parse(String text, String productId, String where) throws IOException {
        String product = checkedProduct(productId);
        Properties props = new Properties();
        try {
            props.load(new StringReader(text));
        } catch (IllegalArgumentException e) {
            throw corrupt(where, "unreadable properties (" + e.getMessage() + ")");
        }
        String naaHex = props.getProperty(KEY_NAA);
        String serial = props.getProperty(KEY_SERIAL);
        if (naaHex == null || !naaHex.matches("[0-9a-fA-F]{32}") || Character.digit(naaHex.charAt(0), 16) != 6) {
            throw corrupt(where, "'" + KEY_NAA + "' must be 32 hex digits starting with 6, found " + quote(naaHex));
        }
        if (serial == null || serial.isEmpty() || serial.length() > 64 || !isPrintableAscii(serial)) {
            throw corrupt(where, "'" + KEY_SERIAL + "' must be 1 to 64 printable ASCII characters, found "
                    + quote(serial));
        }
        return new LunIdentity(HEX.parseHex(naaHex), serial, VENDOR, product, REVISION);
    }

    private static void create(Path idFile) throws IOException {
        String text = newIdentityText("the file beside this one");
        AtomicFiles.replace(idFile, text.getBytes(StandardCharsets.ISO_8859_1));
        LOG.info("{}: created a new LUN identity {}", idFile, text.lines().filter(l -> !l.startsWith("#"))
                .limit(2).reduce((a, b) -> a + " " + b).orElse(""));
    }

    /**
     * A new identity as properties text (NAA designator, serial, creation time), for {@link #parse}.
     *
     * @param whose where the LUN lives, for the comment in the text
     */
    public static String newIdentityText(String whose) {
        byte[] naa = newNaa();
        // The serial is the 64-bit random extension: unique, printable, and differing early between LUNs.
        String serial = HEX.formatHex(naa, 8, 16).toUpperCase();
        return "# Identity of the LUN in " + whose + ". Never edit or delete it:\n"
                + "# initiators (ESXi) treat a changed identity as a lost device.\n"
                + KEY_NAA + "=" + HEX.formatHex(naa) + "\n"
                + KEY_SERIAL + "=" + serial + "\n"
                + KEY_CREATED + "=" + Instant.now() + "\n";
    }

    /** A new NAA IEEE Registered Extended designator with {@link #COMPANY_ID} and 100 random bits. */
    static byte[] newNaa() {
        byte[] naa = new byte[16];
        RANDOM.nextBytes(naa);
        naa[0] = (byte) (0x60 | ((COMPANY_ID >>> 20) & 0x0F));
        naa[1] = (byte) (COMPANY_ID >>> 12);
        naa[2] = (byte) (COMPANY_ID >>> 4);
        naa[3] = (byte) (((COMPANY_ID & 0x0F) << 4) | (naa[3] & 0x0F));
        return naa;
    }

    private static String checkedProduct(String productId) {
        String product = productId == null ? DEFAULT_PRODUCT : productId;
        if (product.isEmpty() || product.length() > 16 || !isPrintableAscii(product)) {
            throw new IllegalArgumentException("product id must be 1 to 16 printable ASCII characters: '" + product + "'");
        }
        return product;
    }

    private static IOException corrupt(String where, String what) {
        return new IOException(where + ": corrupt LUN identity: " + what
                + ". Restore it from a backup; regenerating it would make initiators see a different device.");
    }

    private static String quote(String value) {
        return value == null ? "nothing" : "'" + value + "'";
    }

    private static boolean isPrintableAscii(String s) {
        return s.chars().allMatch(c -> c >= 0x20 && c <= 0x7E);
    }
}
