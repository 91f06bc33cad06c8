package io.nightshift.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Scans /proc for processes carrying a marker in their environment (how tests find orphans). */
final class Procs {
    private Procs() {
    }

    static List<Long> withEnv(String needle) {
        List<Long> out = new ArrayList<>();
        try (var dirs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) dirs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) continue;
                try {
                    String env = new String(Files.readAllBytes(p.resolve("environ")), StandardCharsets.UTF_8);
                    if (env.contains(needle) && !isZombie(p)) out.add(Long.parseLong(name));
                } catch (IOException | SecurityException e) {
                    // gone or not ours
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out;
    }

    private static boolean isZombie(Path p) throws IOException {
        String stat = Files.readString(p.resolve("stat"));
        int close = stat.lastIndexOf(')');
        return close > 0 && stat.length() > close + 2 && stat.charAt(close + 2) == 'Z';
    }

    static void killAll(String needle) {
        for (long pid : withEnv(needle)) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
}
