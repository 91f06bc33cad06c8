package io.nightshift.connectors.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CopiesTest {
    @TempDir Path dir;

    @Test
    void aCopyIsWholeAndSeparateWhetherTheFileSystemClonesOrNot() throws Exception {
        byte[] body = new byte[1 << 20];
        new Random(3).nextBytes(body);
        Path blob = dir.resolve("blob");
        Files.write(blob, body);
        Files.setPosixFilePermissions(blob, PosixFilePermissions.fromString("r--r--r--"));
        Path copy = dir.resolve("copy");
        Copies.How how = Copies.copy(blob, copy);
        String fs = Files.getFileStore(dir).type();
        // ext4 and tmpfs cannot clone; btrfs and XFS (reflink=1) can
        if (fs.equals("ext4") || fs.equals("tmpfs")) assertThat(how).isEqualTo(Copies.How.COPY);
        assertThat(Files.readAllBytes(copy)).isEqualTo(body);
        assertThat(Files.isSameFile(blob, copy)).as("a new file, not a link").isFalse();
        assertThat(Files.getPosixFilePermissions(copy)).isEqualTo(PosixFilePermissions.fromString("r--r--r--"));
        Path second = dir.resolve("second");
        assertThat(Copies.copy(blob, second)).as("asked once per file store").isEqualTo(how);
        assertThat(Files.readAllBytes(second)).isEqualTo(body);
    }
}
