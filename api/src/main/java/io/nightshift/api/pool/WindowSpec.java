package io.nightshift.api.pool;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A named set of time ranges in one time zone during which a pool lends its owner reservation, e.g.
 * {@code night} 22:00-06:00 Europe/Amsterdam. Ranges are wall-clock times in {@code zone}, so a night
 * is an hour shorter when the clocks go forward and an hour longer when they go back; a range that starts
 * in a DST gap starts at the first instant after it (as {@link ZonedDateTime#of} resolves it), and one
 * that starts in an overlap at the earlier offset. Pure: every method gets the instant it asks about.
 */
public final class WindowSpec {

    /** One opening of the window: [opens, closes). */
    public record Opening(Instant opens, Instant closes) {
        public boolean contains(Instant t) {
            return !t.isBefore(opens) && t.isBefore(closes);
        }
    }

    private final String name;
    private final ZoneId zone;
    private final List<TimeRange> ranges;

    public WindowSpec(String name, ZoneId zone, List<TimeRange> ranges) {
        this.name = java.util.Objects.requireNonNull(name, "name");
        this.zone = java.util.Objects.requireNonNull(zone, "zone");
        this.ranges = List.copyOf(ranges);
    }

    /** From the stored JSON (checked when it was accepted; {@link PoolSpecParser} checks what users send). */
    @JsonCreator
    static WindowSpec fromJson(@JsonProperty("name") String name, @JsonProperty("zone") String zone,
                               @JsonProperty("ranges") List<Map<String, String>> ranges) {
        List<TimeRange> rs = new ArrayList<>();
        for (Map<String, String> r : ranges) rs.add(PoolSpecParser.range(r.get("from"), r.get("to")));
        return new WindowSpec(name, ZoneId.of(zone), rs);
    }

    @JsonProperty("name")
    public String name() {
        return name;
    }

    @JsonProperty("zone")
    String zoneId() {
        return zone.getId();
    }

    @JsonProperty("ranges")
    List<Map<String, String>> rangeTexts() {
        return ranges.stream().map(r -> {
            Map<String, String> m = new java.util.LinkedHashMap<>();
            m.put("from", r.fromText());
            m.put("to", r.toText());
            return m;
        }).toList();
    }

    public ZoneId zone() {
        return zone;
    }

    public List<TimeRange> ranges() {
        return ranges;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WindowSpec w && w.name.equals(name) && w.zone.equals(zone) && w.ranges.equals(ranges);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(name, zone, ranges);
    }

    @Override
    public String toString() {
        return name + " " + rangeTexts() + " " + zone;
    }

    /** The opening that contains {@code t}, if the window is open then (the latest-closing one if several). */
    public Optional<Opening> openingAt(Instant t) {
        Opening best = null;
        for (Opening o : openingsAround(t)) {
            if (o.contains(t) && (best == null || o.closes().isAfter(best.closes()))) best = o;
        }
        return Optional.ofNullable(best);
    }

    public boolean isOpen(Instant t) {
        return openingAt(t).isPresent();
    }

    /** The first opening that starts strictly after {@code t} (within the next two weeks; always one). */
    public Opening nextOpening(Instant t) {
        Opening best = null;
        for (Opening o : openingsAround(t)) {
            if (o.opens().isAfter(t) && (best == null || o.opens().isBefore(best.opens()))) best = o;
        }
        if (best == null) throw new IllegalStateException("window " + name + " never opens");
        return best;
    }

    /** The openings of the last local date asked about: a cycle asks about the same day for every agent and task. */
    private record Memo(LocalDate day, List<Opening> openings) {
    }

    private volatile Memo memo;

    /** Every opening that starts between 8 days before and 15 days after {@code t}'s local date. */
    List<Opening> openingsAround(Instant t) {
        LocalDate today = LocalDate.ofInstant(t, zone);
        Memo m = memo;
        if (m != null && m.day().equals(today)) return m.openings();
        List<Opening> out = computeOpenings(today);
        memo = new Memo(today, out);
        return out;
    }

    private List<Opening> computeOpenings(LocalDate today) {
        List<Opening> out = new ArrayList<>();
        for (TimeRange r : ranges) {
            if (r.weekly()) {
                LocalDate monday = today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
                for (int w = -1; w <= 2; w++) {
                    LocalDate start = monday.plusWeeks(w).plusDays(r.fromDay().getValue() - 1);
                    out.add(opening(start.atTime(r.from()), r.minutes()));
                }
            } else {
                for (int d = -8; d <= 15; d++) out.add(opening(today.plusDays(d).atTime(r.from()), r.minutes()));
            }
        }
        return List.copyOf(out);
    }

    /** Start at local {@code start}, end {@code minutes} of wall-clock time later (DST moves the instant, not the wall time). */
    private Opening opening(LocalDateTime start, int minutes) {
        Instant opens = ZonedDateTime.of(start, zone).toInstant();
        Instant closes = ZonedDateTime.of(start.plusMinutes(minutes), zone).toInstant();
        return new Opening(opens, closes);
    }
}
