package io.nightshift.connectors.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class FetcherRegistryTest {
    final HttpFetcher http = new HttpFetcher(AddressPolicy.defaults(), 3, Duration.ofSeconds(1), Duration.ofSeconds(1));

    @Test
    void aSchemeRegisteredTwiceFailsFast() {
        assertThatThrownBy(() -> new FetcherRegistry(List.of(http, new HttpFetcher(AddressPolicy.defaults(), 1,
                Duration.ofSeconds(1), Duration.ofSeconds(1)))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("registered twice");
    }

    @Test
    void anUnknownSchemeIsAPermanentFailureNamingWhatIsServed() throws Exception {
        FetcherRegistry r = new FetcherRegistry(List.of(http, new FileFetcher(List.of(Path.of("/tmp")))));
        assertThat(r.forScheme("https://h/x", "HTTPS")).isSameAs(http);
        FetchException e = catchThrowableOfType(FetchException.class, () -> r.forScheme("hdfs:///x.jar", "hdfs"));
        assertThat(e.isTransient()).isFalse();
        assertThat(e.getMessage()).contains("no fetcher for scheme 'hdfs'").contains("file, http, https");
    }
}
