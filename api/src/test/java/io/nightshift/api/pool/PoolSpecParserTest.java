package io.nightshift.api.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nightshift.api.Resources;
import io.nightshift.api.spec.InvalidSpecException;
import io.nightshift.api.spec.Problem;
import java.util.List;
import org.junit.jupiter.api.Test;

class PoolSpecParserTest {
    static List<String> problems(String json) {
        try {
            PoolSpecParser.parse(json);
        } catch (InvalidSpecException e) {
            return e.problems().stream().map(p -> p.path() + ": " + p.message()).toList();
        }
        throw new AssertionError("accepted: " + json);
    }

    @Test
    void readsReservationHeadroomAndWindows() {
        PoolSpec p = PoolSpecParser.parse(WindowSpecTest.POOL);
        assertThat(p.name()).isEqualTo("office");
        assertThat(p.reservation()).isEqualTo(Resources.of(8, 16384));
        assertThat(p.headroom()).isEqualTo(new Headroom(20, 4096));
        assertThat(p.headroom().of(Resources.of(16, 65536))).isEqualTo(Resources.of(3.2, 4096));
        assertThat(p.windows()).extracting(WindowSpec::name).containsExactly("night", "weekend");
    }

    @Test
    void anUnknownZoneIsAProblemNamingTheField() {
        assertThat(problems("""
                {"name":"p","windows":[{"name":"night","zone":"Europe/Amsterdamm","ranges":[{"from":"22:00","to":"06:00"}]}]}"""))
                .singleElement().asString().startsWith("/windows/0/zone: unknown time zone \"Europe/Amsterdamm\"");
    }

    @Test
    void overlappingRangesOfOneWindowAreRefusedNamingTheRange() {
        assertThat(problems("""
                {"name":"p","windows":[{"name":"night","zone":"UTC","ranges":[
                  {"from":"22:00","to":"06:00"},{"from":"Sun 05:00","to":"Sun 08:00"}]}]}"""))
                .containsExactly("/windows/0/ranges/1: overlaps /windows/0/ranges/0 (22:00 to 06:00) of the same window");
        // a weekly range that wraps past Sunday midnight overlaps one on Monday morning
        assertThat(problems("""
                {"name":"p","windows":[{"name":"w","zone":"UTC","ranges":[
                  {"from":"Sun 20:00","to":"Mon 02:00"},{"from":"Mon 01:00","to":"Mon 03:00"}]}]}"""))
                .singleElement().asString().startsWith("/windows/0/ranges/1: overlaps");
        // touching is not overlapping
        PoolSpecParser.parse("""
                {"name":"p","windows":[{"name":"w","zone":"UTC","ranges":[{"from":"01:00","to":"02:00"},{"from":"02:00","to":"03:00"}]}]}""");
    }

    @Test
    void everyOtherMistakeIsListedByPath() {
        assertThat(problems("""
                {"name":"Office!","reservation":{"cpus":-1,"memMb":1.5},"headroom":{"cpuPercent":120},"colour":"red",
                 "windows":[{"name":"night","zone":"UTC","ranges":[{"from":"22:00","to":"22:00"},{"from":"Sat 10:00","to":"11:00"},
                            {"from":"25:00","to":"Funday 01:00"}]},
                            {"name":"night","zone":"UTC","ranges":[]}]}"""))
                .extracting(s -> s.substring(0, s.indexOf(':')))
                .containsExactlyInAnyOrder("/colour", "/name", "/reservation/cpus", "/reservation/memMb", "/headroom/cpuPercent",
                        "/windows/0/ranges/0/to", "/windows/0/ranges/1/to", "/windows/0/ranges/2/from", "/windows/0/ranges/2/to",
                        "/windows/1/name", "/windows/1/ranges");
    }

    @Test
    void theNameMayComeFromThePathButMustNotContradictIt() {
        assertThat(PoolSpecParser.parse("{}".getBytes(), "lab").name()).isEqualTo("lab");
        assertThatThrownBy(() -> PoolSpecParser.parse("{\"name\":\"office\"}".getBytes(), "lab"))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("must match the pool in the URL");
    }

    @Test
    void theReclaimLeadIsAPoolSettingOfAtMostAnHourAndDefaultsToThirtySeconds() {
        assertThat(PoolSpecParser.parse("{\"name\":\"p\"}").effectiveReclaimLead()).isEqualTo(java.time.Duration.ofSeconds(30));
        PoolSpec p = PoolSpecParser.parse("{\"name\":\"p\",\"reclaimLead\":\"PT2M\"}");
        assertThat(p.reclaimLead()).isEqualTo(java.time.Duration.ofMinutes(2));
        assertThat(io.nightshift.api.json.Json.read(io.nightshift.api.json.Json.write(p), PoolSpec.class)).isEqualTo(p); // stored as it came
        assertThat(problems("{\"name\":\"p\",\"reclaimLead\":\"PT2H\"}")).singleElement().asString()
                .startsWith("/reclaimLead: must be an ISO-8601 duration from PT0S to PT1H");
        assertThat(problems("{\"name\":\"p\",\"reclaimLead\":30}")).singleElement().asString().startsWith("/reclaimLead: ");
    }
}
