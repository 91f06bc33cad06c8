package io.nightshift.api.spec;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.net.URI;
import java.util.Locale;

/**
 * One file the agent fetches into the task's sandbox before the task starts. Checked by
 * {@link JobSpecParser} (see {@link ArtifactRules} for every rule); this record only normalizes.
 *
 * <ul>
 *   <li>{@code uri}: {@code http}, {@code https}, {@code hdfs}, {@code s3} ({@code s3a} is an alias) or
 *       {@code file}; never with credentials in it (those come from the agent's configuration).</li>
 *   <li>{@code sha256}: the expected digest (64 hex digits, kept lower-case); a mismatch fails the attempt
 *       with {@code FETCH_FAILED}. When absent the digest is computed while downloading.</li>
 *   <li>{@code extract}: unpack an archive ({@code .tar}, {@code .tar.gz}/{@code .tgz}, {@code .zip}); default
 *       true for those names, false otherwise ({@code .jar} stays a jar).</li>
 *   <li>{@code executable}: mode 0755 on the fetched file (or on every file of an extracted archive
 *       that does not carry its own modes); default false.</li>
 *   <li>{@code destination}: a relative path inside the sandbox: the file's name, or the directory an
 *       archive is extracted into. Default: the URI's last path segment, or for an archive that
 *       name without its archive suffix ({@code app.tar.gz} → {@code app/}).</li>
 *   <li>{@code cache}: keep the download in the agent's cache for later tasks; default true.</li>
 * </ul>
 * A task reads its artifacts by their destination, relative to its working directory (the sandbox,
 * also in {@code $NIGHTSHIFT_SANDBOX}); a jvm job lists jar artifacts in its {@code classpath} that way.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ArtifactSpec(String uri, String sha256, Boolean extract, boolean executable, String destination,
                           Boolean cache) {

    public ArtifactSpec {
        if (uri == null || uri.isBlank()) throw new InvalidSpecException("/artifacts/uri", "is required");
        sha256 = sha256 == null ? null : sha256.toLowerCase(Locale.ROOT);
    }

    public static ArtifactSpec of(String uri) {
        return new ArtifactSpec(uri, null, null, false, null, null);
    }

    public ArtifactSpec withSha256(String digest) {
        return new ArtifactSpec(uri, digest, extract, executable, destination, cache);
    }

    public ArtifactSpec withExtract(boolean v) {
        return new ArtifactSpec(uri, sha256, v, executable, destination, cache);
    }

    public ArtifactSpec withDestination(String v) {
        return new ArtifactSpec(uri, sha256, extract, executable, v, cache);
    }

    public ArtifactSpec withExecutable(boolean v) {
        return new ArtifactSpec(uri, sha256, extract, v, destination, cache);
    }

    public ArtifactSpec withCache(boolean v) {
        return new ArtifactSpec(uri, sha256, extract, executable, destination, v);
    }

    /** The URI's scheme, lower-case, with {@code s3a} folded into {@code s3}. */
    @JsonIgnore
    public String scheme() {
        String s = URI.create(uri).getScheme().toLowerCase(Locale.ROOT);
        return s.equals("s3a") ? "s3" : s;
    }

    /** The last segment of the URI's path (percent-decoded), e.g. {@code app-1.2.jar}. */
    @JsonIgnore
    public String fileName() {
        return ArtifactRules.fileName(URI.create(uri));
    }

    /** Whether the agent unpacks it: as given, else by the file name's suffix. */
    @JsonIgnore
    public boolean extractEffective() {
        return extract != null ? extract : ArtifactRules.archiveSuffix(fileName()) != null;
    }

    @JsonIgnore
    public boolean cacheEffective() {
        return cache == null || cache;
    }

    /** Where it lands, relative to the sandbox: {@code destination}, else derived from the file name. */
    @JsonIgnore
    public String target() {
        if (destination != null) return destination;
        String name = fileName();
        if (extractEffective()) {
            String suffix = ArtifactRules.archiveSuffix(name);
            if (suffix != null && name.length() > suffix.length()) return name.substring(0, name.length() - suffix.length());
        }
        return name;
    }
}
