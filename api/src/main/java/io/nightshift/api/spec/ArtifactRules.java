package io.nightshift.api.spec;

import static io.nightshift.api.spec.Problems.child;
import static io.nightshift.api.spec.Problems.describe;
import static io.nightshift.api.spec.Problems.quote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules for the {@code artifacts} section of a job spec, and the URI helpers the agent's
 * fetchers share (redaction, file names, archive suffixes).
 * <pre>
 * artifacts        ≤64 × {uri, sha256?, extract?, executable?, destination?, cache?}
 *   uri            1..4096 chars; scheme http | https | hdfs | s3 | s3a | file; no user:password@;
 *                  http(s) and s3(a) need a host (the bucket for s3); hdfs and file need an absolute path;
 *                  the path must end in a file name unless a destination is given
 *   sha256         64 hex digits
 *   extract        boolean; default true for .tar .tar.gz .tgz .zip
 *   executable     boolean; default false
 *   destination    1..1024 chars, relative, '/'-separated segments, no '.', '..' or empty segment, no
 *                  backslash or control character; not a sandbox file (stdout, stderr, exit, task.json,
 *                  checkpoint.json) and no segment starting with '.'; unique among the job's artifacts
 *   cache          boolean; default true
 * </pre>
 */
public final class ArtifactRules {
    public static final int MAX_ARTIFACTS = 64;
    public static final int MAX_URI_CHARS = 4096;
    public static final int MAX_DESTINATION_CHARS = 1024;
    /** Allowed schemes, in the order messages list them. */
    public static final List<String> SCHEMES = List.of("http", "https", "hdfs", "s3", "s3a", "file");
    /** Names the agent keeps in the sandbox's top directory: an artifact may not take them. */
    public static final Set<String> RESERVED = Set.of("stdout", "stderr", "exit", "task.json", "checkpoint.json");
    /** Archive suffixes extracted by default, longest first. */
    public static final List<String> ARCHIVE_SUFFIXES = List.of(".tar.gz", ".tgz", ".tar", ".zip");

    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final List<String> FIELDS = List.of("uri", "sha256", "extract", "executable", "destination", "cache");

    private ArtifactRules() {
    }

    /** The archive suffix {@code name} ends with (case-insensitive), or null. */
    public static String archiveSuffix(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (String s : ARCHIVE_SUFFIXES) if (lower.endsWith(s)) return name.substring(name.length() - s.length());
        return null;
    }

    /** The last segment of {@code uri}'s path, decoded; "" when the path is empty or ends in '/'. */
    public static String fileName(URI uri) {
        String path = uri.getPath();
        if (path == null || path.isEmpty() || path.endsWith("/")) return "";
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /**
     * {@code uri} as it may appear in a message or a log line: user info and the query's values
     * replaced by {@code ***} (a pre-signed URL carries its signature there). Never throws.
     */
    public static String redact(String uri) {
        if (uri == null) return "null";
        try {
            URI u = new URI(uri);
            if (u.getRawUserInfo() == null && u.getRawQuery() == null) return uri;
            StringBuilder b = new StringBuilder();
            if (u.getScheme() != null) b.append(u.getScheme()).append(':');
            if (u.getRawAuthority() != null) {
                b.append("//");
                if (u.getRawUserInfo() != null) b.append("***@");
                b.append(u.getHost() == null ? "" : u.getHost());
                if (u.getPort() >= 0) b.append(':').append(u.getPort());
            }
            b.append(u.getRawPath() == null ? "" : u.getRawPath());
            if (u.getRawQuery() != null) {
                List<String> parts = new ArrayList<>();
                for (String p : u.getRawQuery().split("&", -1)) {
                    int eq = p.indexOf('=');
                    parts.add(eq < 0 ? p : p.substring(0, eq) + "=***");
                }
                b.append('?').append(String.join("&", parts));
            }
            return b.toString();
        } catch (URISyntaxException e) {
            int at = uri.indexOf('@'), q = uri.indexOf('?');
            String s = at >= 0 ? "***" + uri.substring(at) : uri;
            return q >= 0 ? s.substring(0, s.indexOf('?')) + "?***" : s;
        }
    }

    /**
     * What is wrong with {@code raw} as an artifact URI, or null when it is fine. The message never
     * shows credentials. {@code hasDestination}: a destination is given, so the path may lack a file name.
     */
    public static String uriProblem(String raw, boolean hasDestination) {
        if (raw.length() > MAX_URI_CHARS)
            return "must be at most %d characters long, got %d".formatted(MAX_URI_CHARS, raw.length());
        if (raw.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) return "must not contain control characters";
        URI u;
        try {
            u = new URI(raw);
        } catch (URISyntaxException e) {
            return "is not a valid URI (%s at index %d)".formatted(e.getReason(), e.getIndex());
        }
        String allowed = String.join(", ", SCHEMES);
        if (u.getScheme() == null) return "must be an absolute URI with a scheme; allowed schemes: " + allowed;
        String scheme = u.getScheme().toLowerCase(Locale.ROOT);
        if (!SCHEMES.contains(scheme))
            return "scheme %s is not allowed; allowed schemes: %s".formatted(Problems.name(u.getScheme()), allowed);
        if (u.isOpaque()) return "must be a hierarchical URI such as " + scheme + "://host/path";
        if (u.getRawUserInfo() != null)
            return "must not carry credentials (user:password@); the agent's configuration supplies them";
        if (u.getRawFragment() != null) return "must not have a fragment (#...)";
        switch (scheme) {
            case "http", "https" -> {
                if (u.getHost() == null) return "needs a host, such as https://repo.example.com/app.jar";
            }
            case "s3", "s3a" -> {
                if (u.getHost() == null) return "needs a bucket, such as s3://bucket/path/app.jar";
                if (u.getPath() == null || u.getPath().length() <= 1) return "needs an object key after the bucket";
                if (u.getRawQuery() != null) return "must not have a query";
            }
            case "hdfs" -> {
                if (u.getPath() == null || !u.getPath().startsWith("/")) return "needs an absolute path, such as hdfs:///apps/app.jar";
                if (u.getRawQuery() != null) return "must not have a query";
            }
            case "file" -> {
                if (u.getHost() != null && !u.getHost().equals("localhost"))
                    return "must name a local file (file:///path), not a host";
                if (u.getPath() == null || !u.getPath().startsWith("/")) return "needs an absolute path, such as file:///opt/apps/app.jar";
                if (u.getRawQuery() != null) return "must not have a query";
                for (String seg : u.getPath().split("/")) if (seg.equals("..")) return "must not contain '..' segments";
            }
            default -> throw new IllegalStateException(scheme);
        }
        if (!hasDestination && fileName(u).isEmpty())
            return "must end in a file name (or give a destination), got a path ending in '/'";
        return null;
    }

    /** What is wrong with {@code d} as a path inside the sandbox, or null. */
    public static String destinationProblem(String d) {
        if (d.isEmpty()) return "must not be empty";
        if (d.length() > MAX_DESTINATION_CHARS)
            return "must be at most %d characters long, got %d".formatted(MAX_DESTINATION_CHARS, d.length());
        if (d.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == '\\'))
            return "must not contain control characters or backslashes";
        if (d.startsWith("/")) return "must be a relative path inside the sandbox, got an absolute path " + quote(d);
        String[] segments = d.split("/", -1);
        for (String seg : segments) {
            if (seg.equals("..")) return "must stay inside the sandbox: '..' is not allowed, got " + quote(d);
            if (seg.isEmpty() || seg.equals("."))
                return "must be a clean relative path ('a/b/c', no empty or '.' segment), got " + quote(d);
            if (seg.startsWith(".")) return "must not have a segment starting with '.' (the agent's own files), got " + quote(d);
        }
        if (RESERVED.contains(segments[0]))
            return "must not take the name of a sandbox file (%s), got %s".formatted(String.join(", ", RESERVED.stream()
                    .sorted().toList()), quote(d));
        return null;
    }

    /** Checks the {@code artifacts} node; null (and problems added) when anything is wrong. */
    static List<ArtifactSpec> check(JsonNode n, Problems problems) {
        if (n == null) return null;
        if (!n.isArray()) {
            problems.add("/artifacts", "must be an array of {uri, sha256, extract, executable, destination, cache} "
                    + "objects, got " + describe(n));
            return null;
        }
        if (n.size() > MAX_ARTIFACTS) {
            problems.add("/artifacts", "must have at most %d entries, got %d".formatted(MAX_ARTIFACTS, n.size()));
            return null;
        }
        int before = problems.count();
        List<ArtifactSpec> out = new ArrayList<>();
        Set<String> targets = new HashSet<>();
        for (int i = 0; i < n.size(); i++) {
            ArtifactSpec a = artifact(n.get(i), child("/artifacts", i), problems);
            if (a == null) continue;
            String target = a.target();
            String at = child("/artifacts", i) + (a.destination() != null ? "/destination" : "/uri");
            String p = destinationProblem(target);
            if (p != null) {
                problems.add(at, a.destination() != null ? p : "gives the sandbox path " + quote(target)
                        + ", which " + p + "; set a destination");
            } else if (!targets.add(target)) {
                problems.add(at, "lands on %s like an earlier artifact; give each a distinct destination".formatted(quote(target)));
            }
            out.add(a);
        }
        return problems.count() == before ? out : null;
    }

    private static ArtifactSpec artifact(JsonNode n, String at, Problems problems) {
        if (!n.isObject()) {
            problems.add(at, "must be an object with at least a 'uri', got " + describe(n));
            return null;
        }
        ObjectNode o = (ObjectNode) n;
        int before = problems.count();
        for (Map.Entry<String, JsonNode> e : o.properties()) {
            if (!FIELDS.contains(e.getKey()))
                problems.add(child(at, e.getKey()), "unknown field; known fields: " + String.join(", ", FIELDS));
            else if (e.getValue().isNull())
                problems.add(child(at, e.getKey()), "must not be null; leave the field out to get the default");
        }
        String destination = text(o.get("destination"), at + "/destination", problems);
        if (destination != null) {
            String p = destinationProblem(destination);
            if (p != null) problems.add(at + "/destination", p);
        }
        JsonNode uriNode = o.get("uri");
        String uri = null;
        if (uriNode == null) {
            problems.add(at + "/uri", "is required: where to fetch from, such as https://repo.example.com/app.jar; "
                    + "allowed schemes: " + String.join(", ", SCHEMES));
        } else if (!uriNode.isNull()) {
            // A URI may hold credentials: describe it by kind, never echo it.
            if (!uriNode.isTextual()) problems.add(at + "/uri", "must be a string, got " + Problems.kind(uriNode));
            else {
                String p = uriProblem(uriNode.textValue(), destination != null);
                if (p != null) problems.add(at + "/uri", p);
                else uri = uriNode.textValue();
            }
        }
        String sha = text(o.get("sha256"), at + "/sha256", problems);
        if (sha != null && !SHA256.matcher(sha).matches())
            problems.add(at + "/sha256", "must be 64 hexadecimal digits (a SHA-256 digest), got " + quote(sha));
        Boolean extract = bool(o.get("extract"), at + "/extract", problems);
        Boolean executable = bool(o.get("executable"), at + "/executable", problems);
        Boolean cache = bool(o.get("cache"), at + "/cache", problems);
        if (problems.count() != before) return null;
        return new ArtifactSpec(uri, sha, extract, executable != null && executable, destination, cache);
    }

    private static String text(JsonNode n, String path, Problems problems) {
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) {
            problems.add(path, "must be a string, got " + describe(n));
            return null;
        }
        if (n.textValue().indexOf('\0') >= 0) {
            problems.add(path, "must not contain the NUL character (\\u0000)");
            return null;
        }
        return n.textValue();
    }

    private static Boolean bool(JsonNode n, String path, Problems problems) {
        if (n == null || n.isNull()) return null;
        if (!n.isBoolean()) {
            problems.add(path, "must be true or false, got " + describe(n));
            return null;
        }
        return n.booleanValue();
    }
}
