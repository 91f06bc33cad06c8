package io.nightshift.connectors.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileFetcherTest {
    @TempDir Path dir;

    @Test
    void readsFilesUnderAnAllowListedDirectoryOnly() throws Exception {
        Path allowed = Files.createDirectories(dir.resolve("shared"));
        Path outside = Files.writeString(dir.resolve("secret.txt"), "secret");
        Files.writeString(allowed.resolve("data.csv"), "a,b\n");
        Files.createSymbolicLink(allowed.resolve("link.txt"), outside);
        FileFetcher f = new FileFetcher(List.of(allowed));
        Fetching fetching = new Fetching(HttpFetchTest.FAST);

        Fetching.Result r = fetching.fetch(f, allowed.resolve("data.csv").toUri(), dir.resolve("out"), null, Fetching.Progress.NONE);
        assertThat(r.bytes()).isEqualTo(4);
        assertThat(f.version(allowed.resolve("data.csv").toUri())).get().asString().startsWith("length:4;");

        for (Path p : List.of(outside, allowed.resolve("link.txt"))) {
            FetchException e = catchThrowableOfType(FetchException.class,
                    () -> fetching.fetch(f, p.toUri(), dir.resolve("out"), null, Fetching.Progress.NONE));
            assertThat(e.isTransient()).isFalse();
            assertThat(e.getMessage()).contains("not under a directory the agent allow-lists");
        }
        FetchException none = catchThrowableOfType(FetchException.class, () -> new FileFetcher(List.of())
                .open(allowed.resolve("data.csv").toUri(), 0));
        assertThat(none.getMessage()).contains("allow-lists no directory");
    }
}
