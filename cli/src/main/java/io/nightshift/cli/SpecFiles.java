package io.nightshift.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.nightshift.api.json.Json;
import io.nightshift.api.spec.JobSpecParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads a spec file (a job's, a queue's) into a JSON tree: JSON, or YAML for {@code .yaml}/{@code .yml} files, or,
 * for stdin ({@code -}) and other extensions, by looking at the content (a document starting with
 * {@code {} is JSON, anything else YAML). The tree then goes through {@link JobSpecParser} (or
 * {@code QueueSpecParser}) like any submission, so YAML and JSON specs are checked by the same rules.
 */
final class SpecFiles {
    private static final YAMLMapper YAML = new YAMLMapper();

    enum Format { JSON, YAML }

    private SpecFiles() {
    }

    /** Reads a job spec from {@code file} ({@code -} = {@code stdin}); a problem with the file is a usage error. */
    static JsonNode read(String file, Path workDir, InputStream stdin) {
        return read(file, workDir, stdin, "job spec", JobSpecParser.MAX_BODY_BYTES);
    }

    /**
     * Reads {@code file} ({@code -} = {@code stdin}) holding one {@code what} (for messages: "job spec",
     * "queue spec") of at most {@code maxBytes}; a problem with the file is a usage error.
     */
    static JsonNode read(String file, Path workDir, InputStream stdin, String what, int maxBytes) {
        String name = file.equals("-") ? "stdin" : file;
        byte[] bytes;
        try {
            bytes = file.equals("-") ? readCapped(stdin, maxBytes) : readCapped(workDir.resolve(file), maxBytes);
        } catch (NoSuchFileException e) {
            throw CliException.usage("no such file: " + file);
        } catch (IOException e) {
            throw CliException.usage("cannot read " + name + ": " + e.getMessage());
        }
        if (bytes.length > maxBytes)
            throw CliException.usage(name + " is larger than the limit of " + size(maxBytes) + " for a " + what);
        return parse(bytes, formatOf(file, bytes), name, what);
    }

    /** {@code 1 MiB}, {@code 64 KiB}, {@code 1000 bytes}. */
    static String size(int bytes) {
        if (bytes % (1 << 20) == 0) return (bytes >> 20) + " MiB";
        if (bytes % (1 << 10) == 0) return (bytes >> 10) + " KiB";
        return bytes + " bytes";
    }

    static Format formatOf(String file, byte[] content) {
        String lower = file.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".yaml") || lower.endsWith(".yml")) return Format.YAML;
        if (lower.endsWith(".json")) return Format.JSON;
        return sniff(content);
    }

    /** JSON when the first significant character opens an object or array, YAML otherwise. */
    static Format sniff(byte[] content) {
        String s = new String(content, 0, Math.min(content.length, 4096), StandardCharsets.UTF_8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\uFEFF' || Character.isWhitespace(c)) continue;
            return c == '{' || c == '[' ? Format.JSON : Format.YAML;
        }
        return Format.JSON;
    }

    static JsonNode parse(byte[] bytes, Format format, String name) {
        return parse(bytes, format, name, "job spec");
    }

    static JsonNode parse(byte[] bytes, Format format, String name, String what) {
        JsonNode tree;
        try {
            tree = format == Format.YAML ? YAML.readTree(bytes) : Json.mapper().readTree(bytes);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null || at.getLineNr() < 1 ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw CliException.usage("cannot read " + name + " as " + format + where + ": " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw CliException.usage("cannot read " + name + ": " + e.getMessage());
        }
        if (tree == null || tree.isMissingNode() || tree.isNull())
            throw CliException.usage(name + " is empty; expected a " + what);
        if (!tree.isObject())
            throw CliException.usage(name + " must hold one " + what + " (an object), not " + tree.getNodeType().name().toLowerCase(Locale.ROOT));
        return tree;
    }

    private static String firstLine(String s) {
        if (s == null) return "syntax error";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static byte[] readCapped(Path p, int maxBytes) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            return readCapped(in, maxBytes);
        }
    }

    /** Reads at most one byte more than the limit, so an oversize input is detected without reading it all. */
    private static byte[] readCapped(InputStream in, int maxBytes) throws IOException {
        return in.readNBytes(maxBytes + 1);
    }
}
