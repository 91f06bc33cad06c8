package io.nightshift.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * How far an attempt's fetch step is: bytes done and total over every artifact, and each artifact's
 * own ({@code target}: its path in the sandbox; {@code uri}: redacted). A total is -1 while unknown
 * (the source has not told its length yet); the overall total is -1 while any artifact's is. Sent by
 * the agent with its FETCHING updates (at most every 2 s), kept on the attempt once it runs.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FetchProgress(long bytesDone, long bytesTotal, List<Artifact> artifacts) {
    /** At most this many artifacts are listed (the spec allows no more). */
    public static final int MAX_ARTIFACTS = io.nightshift.api.spec.ArtifactRules.MAX_ARTIFACTS;

    public FetchProgress {
        artifacts = artifacts == null ? List.of()
                : List.copyOf(artifacts.size() > MAX_ARTIFACTS ? artifacts.subList(0, MAX_ARTIFACTS) : artifacts);
        bytesDone = Math.max(0, bytesDone);
        bytesTotal = Math.max(-1, bytesTotal);
    }

    /** One artifact: {@code state} is {@code waiting}, {@code fetching}, {@code cached} (no download) or {@code done}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Artifact(String target, String uri, String state, long bytesDone, long bytesTotal) {
        public Artifact {
            bytesDone = Math.max(0, bytesDone);
            bytesTotal = Math.max(-1, bytesTotal);
            if (target != null && target.length() > 1024) target = target.substring(0, 1024);
            if (uri != null && uri.length() > 2048) uri = uri.substring(0, 2048);
        }
    }

    /** The sums over {@code artifacts}. */
    public static FetchProgress of(List<Artifact> artifacts) {
        long done = 0, total = 0;
        for (Artifact a : artifacts) {
            done += a.bytesDone();
            total = total < 0 || a.bytesTotal() < 0 ? -1 : total + a.bytesTotal();
        }
        return new FetchProgress(done, total, artifacts);
    }

    /** Done over total in [0, 1], or -1 while the total is unknown. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public double fraction() {
        return bytesTotal <= 0 ? (bytesTotal == 0 ? 1 : -1) : Math.min(1.0, (double) bytesDone / bytesTotal);
    }
}
