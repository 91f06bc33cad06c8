package io.nightshift.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigTest {
    static final Setting<Integer> PORT = Setting.integer("test.port", 7070, 0, 65535, "The port.");
    static final Setting<Duration> TTL = Setting.duration("test.offer-ttl", Duration.ofSeconds(30),
            Duration.ofSeconds(1), Duration.ofHours(1), "How long an offer is held.");
    static final Setting<String> TOKEN = Setting.secret("test.token", "The API token.");
    static final Setting<Boolean> AUTH = Setting.bool("test.auth", false, "Require a token.");
    static final List<Setting<?>> ALL = List.of(PORT, TTL, TOKEN, AUTH);

    @TempDir
    Path dir;

    private Path file(String text) throws IOException {
        Path f = dir.resolve("nightshift.properties");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void defaultsApplyWhenNothingElseIsGiven() {
        Config c = Config.defaults(ALL);

        assertThat(c.get(PORT)).isEqualTo(7070);
        assertThat(c.get(TTL)).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.get(TOKEN)).isNull();
        assertThat(c.entries()).extracting(Config.Entry::source).containsOnly(Config.Source.DEFAULT);
    }

    @Test
    void fileBeatsDefaultEnvBeatsFileFlagBeatsEnv() throws IOException {
        Path f = file("""
                test.port = 1001
                test.offer-ttl = 10s
                test.auth = yes
                """);
        Map<String, String> env = Map.of("NIGHTSHIFT_TEST_PORT", "1002", "NIGHTSHIFT_TEST_OFFER_TTL", "20s");
        Map<String, String> flags = Map.of("test.port", "1003");

        Config c = Config.load(ALL, f, env, flags);

        assertThat(c.get(PORT)).isEqualTo(1003);
        assertThat(c.get(TTL)).isEqualTo(Duration.ofSeconds(20));
        assertThat(c.get(AUTH)).isTrue();
        assertThat(c.get(TOKEN)).isNull();
        assertThat(c.entries()).extracting(e -> e.setting().name() + "=" + e.source()).containsExactly(
                "test.port=FLAG", "test.offer-ttl=ENV", "test.token=DEFAULT", "test.auth=FILE");
    }

    @Test
    void environmentNamesAreDerivedFromTheKey() {
        assertThat(TTL.envName()).isEqualTo("NIGHTSHIFT_TEST_OFFER_TTL");
        assertThat(PORT.envName()).isEqualTo("NIGHTSHIFT_TEST_PORT");
    }

    @Test
    void environmentVariablesThatAreNotSettingsAreIgnored() {
        Config c = Config.load(ALL, null, Map.of("NIGHTSHIFT_SOMETHING_ELSE", "x", "PATH", "/bin"), Map.of());

        assertThat(c.get(PORT)).isEqualTo(7070);
    }

    @Test
    void anUnknownKeyInTheFileIsAnErrorNamingFileAndKey() throws IOException {
        Path f = file("test.prot = 1\n");

        assertThatThrownBy(() -> Config.load(ALL, f, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("unknown setting 'test.prot'");
    }

    @Test
    void anUnknownFlagIsAnError() {
        assertThatThrownBy(() -> Config.load(ALL, null, Map.of(), Map.of("nope", "1")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown setting 'nope'");
    }

    @Test
    void aMissingFileIsAnError() {
        Path missing = dir.resolve("absent.properties");

        assertThatThrownBy(() -> Config.load(ALL, missing, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cannot read config file")
                .hasMessageContaining(missing.toString());
    }

    @Test
    void aValueThatDoesNotParseIsAnErrorNamingTheKey() {
        assertThatThrownBy(() -> Config.load(ALL, null, Map.of("NIGHTSHIFT_TEST_PORT", "seventy"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("test.port: cannot read 'seventy' as int");
    }

    @Test
    void aValueOutsideItsRangeIsAnErrorSayingWhatIsAllowed() {
        assertThatThrownBy(() -> Config.load(ALL, null, Map.of(), Map.of("test.port", "70000")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("test.port: '70000' is not allowed; must be between 0 and 65535");
    }

    @Test
    void everyBadValueIsReportedAtOnce() throws IOException {
        Path f = file("test.port = x\ntest.auth = maybe\n");

        assertThatThrownBy(() -> Config.load(ALL, f, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("test.port:")
                .hasMessageContaining("test.auth:");
    }

    @ParameterizedTest
    @CsvSource({"30s, PT30S", "PT30S, PT30S", "5m, PT5M", "PT45M, PT45M", "1h, PT1H"})
    void durationsAcceptIsoAndShortForms(String raw, String expected) {
        assertThat(TTL.parse(raw)).isEqualTo(Duration.parse(expected));
    }

    @ParameterizedTest
    @CsvSource({"500ms", "2h", "PT0S"})
    void durationsOutsideTheRangeAreRejectedWithTheRange(String raw) {
        assertThatThrownBy(() -> TTL.parse(raw)).isInstanceOf(ConfigException.class)
                .hasMessage("test.offer-ttl: '" + raw + "' is not allowed; must be between PT1S and PT1H");
    }

    @Test
    void shortDurationFormsMapToTheirUnits() {
        assertThat(Setting.parseDuration("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Setting.parseDuration("PT30S")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Setting.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Setting.parseDuration("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Setting.parseDuration("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(Setting.parseDuration("1d")).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void anUnreadableDurationSaysWhichFormsAreAccepted() {
        assertThatThrownBy(() -> TTL.parse("thirty seconds"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("test.offer-ttl: cannot read 'thirty seconds' as duration (ISO-8601 like PT30S, or 30s, 5m, 2h)");
    }

    @Test
    void valuesAreTrimmed() {
        assertThat(PORT.parse("  8080 ")).isEqualTo(8080);
    }

    @Test
    void booleansAcceptTheUsualSpellings() {
        for (String t : List.of("true", "YES", "on", "1")) assertThat(AUTH.parse(t)).isTrue();
        for (String f : List.of("false", "no", "OFF", "0")) assertThat(AUTH.parse(f)).isFalse();
    }

    @Test
    void aSecretIsMaskedWhenShownButAvailableToTheCode() {
        Config c = Config.load(ALL, null, Map.of("NIGHTSHIFT_TEST_TOKEN", "hunter2"), Map.of());

        Config.Entry token = c.entries().stream().filter(e -> e.setting() == TOKEN).findFirst().orElseThrow();
        assertThat(token.display()).isEqualTo("****").doesNotContain("hunter2");
        assertThat(c.get(TOKEN)).isEqualTo("hunter2");
        Config.Entry port = c.entries().stream().filter(e -> e.setting() == PORT).findFirst().orElseThrow();
        assertThat(port.display()).isEqualTo("7070");
    }

    @Test
    void anUnsetSecretShowsNothing() {
        Config.Entry token = Config.defaults(ALL).entries().stream()
                .filter(e -> e.setting() == TOKEN).findFirst().orElseThrow();

        assertThat(token.display()).isEmpty();
    }

    @Test
    void aSettingDeclaredTwiceFailsFast() {
        Setting<Integer> again = Setting.integer("test.port", 1, 0, 10, "Same name, other meaning.");

        assertThatThrownBy(() -> Config.defaults(List.of(PORT, TTL, again)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("setting 'test.port' declared twice");
    }

    @Test
    void aDefaultThatBreaksItsOwnConstraintFailsAtDeclaration() {
        assertThatThrownBy(() -> Setting.integer("test.bad", 99, 0, 10, "Broken."))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("test.bad");
    }

    @Test
    void aMalformedNameFailsAtDeclaration() {
        assertThatThrownBy(() -> Setting.string("Test.Port", "x", "Bad name."))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Test.Port");
    }

    @Test
    void withOverridesOneValueAndMarksItAsAFlag() {
        Config c = Config.defaults(ALL).with(PORT, "0");

        assertThat(c.get(PORT)).isZero();
        assertThat(c.entries()).filteredOn(e -> e.setting() == PORT)
                .extracting(Config.Entry::source).containsExactly(Config.Source.FLAG);
    }

    @Test
    void readingASettingThatWasNotDeclaredIsAProgrammingError() {
        Setting<Integer> other = Setting.integer("test.other", 1, 0, 10, "Not in ALL.");

        assertThatThrownBy(() -> Config.defaults(ALL).get(other))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("test.other");
    }
}
