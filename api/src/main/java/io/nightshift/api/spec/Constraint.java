package io.nightshift.api.spec;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * Where a job's instances may go, by an attribute the agents report ({@code hostname}, {@code rack},
 * {@code zone}, {@code os}…). Checked by {@link JobSpecParser}; the scheduling core enforces it.
 *
 * <pre>
 * operator   value                      meaning
 * UNIQUE     (none)                     at most one instance per value of the attribute (e.g. one per host)
 * CLUSTER    optional: the value        all instances on one value (the given one, or the first one used)
 * GROUP_BY   optional: groups n ≥ 1     spread evenly: at most ceil(instances / n) per value; n defaults to
 *                                       the number of values the agents report
 * LIKE       regex (≤ 256 chars)        only agents whose value matches (whole value); agents without it never
 * UNLIKE     regex (≤ 256 chars)        only agents whose value does not match, or that lack the attribute
 * MAX_PER    k ≥ 1                      at most k instances per value
 * </pre>
 * An agent without the attribute is excluded by every operator but UNLIKE. Counting operators (UNIQUE,
 * CLUSTER, GROUP_BY, MAX_PER) count the job's instances of the current run that run or are being placed.
 *
 * @param value as the user wrote it, numbers as decimal text ({@code "3"}); {@code null} when absent
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Constraint(String attribute, Operator operator, String value) {

    public enum Operator {
        UNIQUE, CLUSTER, GROUP_BY, LIKE, UNLIKE, MAX_PER
    }

    public Constraint {
        if (attribute == null || attribute.isBlank()) throw new InvalidSpecException("/constraints", "attribute is required");
        Objects.requireNonNull(operator, "operator");
    }

    public static Constraint unique(String attribute) {
        return new Constraint(attribute, Operator.UNIQUE, null);
    }

    public static Constraint cluster(String attribute) {
        return new Constraint(attribute, Operator.CLUSTER, null);
    }

    public static Constraint cluster(String attribute, String value) {
        return new Constraint(attribute, Operator.CLUSTER, value);
    }

    public static Constraint groupBy(String attribute) {
        return new Constraint(attribute, Operator.GROUP_BY, null);
    }

    public static Constraint groupBy(String attribute, int groups) {
        return new Constraint(attribute, Operator.GROUP_BY, Integer.toString(groups));
    }

    public static Constraint like(String attribute, String regex) {
        return new Constraint(attribute, Operator.LIKE, regex);
    }

    public static Constraint unlike(String attribute, String regex) {
        return new Constraint(attribute, Operator.UNLIKE, regex);
    }

    public static Constraint maxPer(String attribute, int k) {
        return new Constraint(attribute, Operator.MAX_PER, Integer.toString(k));
    }

    /** The value as an integer (GROUP_BY groups, MAX_PER k); 0 when absent. */
    @JsonIgnore
    public int intValue() {
        return value == null ? 0 : Integer.parseInt(value);
    }

    @Override
    public String toString() {
        return attribute + " " + operator + (value == null ? "" : " " + value);
    }
}
