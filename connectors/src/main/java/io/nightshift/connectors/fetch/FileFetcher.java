package io.nightshift.connectors.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code file:///path}, only for regular files under one of the agent's allow-listed directories
 * (after resolving symbolic links, so a link cannot lead out of them). None allow-listed: every
 * {@code file} URI is refused.
 */
public final class FileFetcher implements Fetcher {
    private final List<Path> allowed;

    public FileFetcher(List<Path> allowedDirectories) {
        this.allowed = allowedDirectories.stream().map(p -> {
            try {
                return p.toRealPath();
            } catch (IOException e) {
                return p.toAbsolutePath().normalize();
            }
        }).toList();
    }

    @Override
    public Set<String> schemes() {
        return Set.of("file");
    }

    private Path resolve(URI uri) throws FetchException {
        Path real;
        try {
            real = Path.of(uri.getPath()).toRealPath();
        } catch (NoSuchFileException e) {
            throw FetchException.permanent(uri.toString(), "no such file");
        } catch (IOException | RuntimeException e) {
            throw FetchException.permanent(uri.toString(), "cannot read it: " + e.getMessage());
        }
        if (allowed.stream().noneMatch(real::startsWith))
            throw FetchException.permanent(uri.toString(), allowed.isEmpty()
                    ? "file URIs are refused: the agent allow-lists no directory (agent.fetch.file.allowed-dirs)"
                    : "refused: not under a directory the agent allow-lists (agent.fetch.file.allowed-dirs)");
        if (!Files.isRegularFile(real)) throw FetchException.permanent(uri.toString(), "not a regular file");
        return real;
    }

    @Override
    public Optional<String> version(URI uri) throws FetchException {
        Path p = resolve(uri);
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            return Optional.of("length:" + a.size() + ";mtime:" + a.lastModifiedTime().toMillis());
        } catch (IOException e) {
            throw FetchException.transientError(uri.toString(), "cannot stat it: " + e.getMessage(), e);
        }
    }

    @Override
    public Download open(URI uri, long from) throws FetchException {
        Path p = resolve(uri);
        try {
            FileChannel ch = FileChannel.open(p, StandardOpenOption.READ);
            long size = ch.size();
            ch.position(Math.min(from, size));
            InputStream in = Channels.newInputStream(ch);
            return new Download(in, Math.min(from, size), size, version(uri).orElse(null));
        } catch (IOException e) {
            throw FetchException.transientError(uri.toString(), "cannot read it: " + e.getMessage(), e);
        }
    }
}
