package io.nightshift.api.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What a running driver told about its application, as the agent learnt it: Spark's application id
 * ({@code local-1764646800000}, {@code application_…} on YARN) and the driver UI's URL, or a Hadoop
 * MapReduce job's id ({@code job_local…}, {@code job_…}). Each field is null until known. Sent by the agent on
 * a RUNNING status update, kept on the attempt (also once it ended) and carried by its task events.
 * Values are bounded (an id at most {@value #MAX_ID} characters, a URL at most {@value #MAX_URL}); a URL that
 * is not http(s) is dropped.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AppInfo(String sparkAppId, String driverUiUrl, String hadoopJobId) {
    public static final int MAX_ID = 256;
    public static final int MAX_URL = 2048;

    public AppInfo {
        sparkAppId = bounded(sparkAppId, MAX_ID);
        hadoopJobId = bounded(hadoopJobId, MAX_ID);
        driverUiUrl = bounded(driverUiUrl, MAX_URL);
        if (driverUiUrl != null && !driverUiUrl.matches("(?i)https?://\\S+")) driverUiUrl = null;
    }

    public static AppInfo spark(String appId, String uiUrl) {
        return new AppInfo(appId, uiUrl, null);
    }

    public static AppInfo hadoop(String jobId) {
        return new AppInfo(null, null, jobId);
    }

    /** Nothing known. */
    @JsonIgnore
    public boolean isEmpty() {
        return sparkAppId == null && driverUiUrl == null && hadoopJobId == null;
    }

    /** This with {@code newer}'s known fields laid over it (null: this). */
    public AppInfo merge(AppInfo newer) {
        if (newer == null) return this;
        return new AppInfo(newer.sparkAppId != null ? newer.sparkAppId : sparkAppId,
                newer.driverUiUrl != null ? newer.driverUiUrl : driverUiUrl,
                newer.hadoopJobId != null ? newer.hadoopJobId : hadoopJobId);
    }

    /** A sentence for the attempt's message: {@code spark application local-1; driver UI http://h:4040}. */
    public String describe() {
        if (hadoopJobId != null && sparkAppId == null && driverUiUrl == null) return "hadoop job " + hadoopJobId;
        return "spark application " + (sparkAppId == null ? "(id not known yet)" : sparkAppId)
                + (driverUiUrl == null ? "" : "; driver UI " + driverUiUrl)
                + (hadoopJobId == null ? "" : "; hadoop job " + hadoopJobId);
    }

    private static String bounded(String s, int max) {
        if (s == null) return null;
        s = s.strip();
        if (s.isEmpty() || s.chars().anyMatch(Character::isISOControl)) return null;
        return s.length() > max ? s.substring(0, max) : s;
    }
}
