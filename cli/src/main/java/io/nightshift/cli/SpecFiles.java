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
 * Reads a job spec file into a JSON tree: JSON, or YAML for {@code .yaml}/{@code .yml} files, or,
 * for stdin ({@code -}) and other extensions, by looking at the content (a document starting with
 * {@code {} is JSON, anything else YAML). The tree then goes through {@link JobSpecParser} like any
 * submission, so YAML and JSON specs are checked by the same rules.
 */
final class SpecFiles {
    private static final YAMLMapper YAML = new YAMLMapper();

    enum Format { JSON, YAML }

    private SpecFiles() {
    }

    /** Reads {@code file} ({@code -} = {@code stdin}); a problem with the file is a usage error. */
    static JsonNode read(String file, Path workDir, InputStream stdin) {
        String name = file.equals("-") ? "stdin" : file;
        byte[] bytes;
        try {
            bytes = file.equals("-") ? readCapped(stdin) : readCapped(workDir.resolve(file));
        } catch (NoSuchFileException e) {
            throw CliException.usage("no such file: " + file);
        } catch (IOException e) {
            throw CliException.usage("cannot read " + name + ": " + e.getMessage());
        }
        if (bytes.length > JobSpecParser.MAX_BODY_BYTES)
            throw CliException.usage(name + " is larger than the limit of 1 MiB for a job spec");
        return parse(bytes, formatOf(file, bytes), name);
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
            throw CliException.usage(name + " is empty; expected a job spec");
        if (!tree.isObject())
            throw CliException.usage(name + " must hold one job spec (an object), not " + tree.getNodeType().name().toLowerCase(Locale.ROOT));
        return tree;
    }

    private static String firstLine(String s) {
        if (s == null) return "syntax error";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static byte[] readCapped(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            return readCapped(in);
        }
    }

    /** Reads at most one byte more than the limit, so an oversize input is detected without reading it all. */
    private static byte[] readCapped(InputStream in) throws IOException {
        return in.readNBytes(JobSpecParser.MAX_BODY_BYTES + 1);
    }
}
