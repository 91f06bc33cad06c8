package io.nightshift.agent.process;

import java.nio.file.Files;
import java.nio.file.Path;

/** Resolves argv[0] the way {@code execvp} would, so a missing executable fails the launch with a clear message. */
public final class Executables {
    private Executables() {
    }

    /**
     * True when {@code command} names an executable regular file: a path (containing '/') relative
     * to {@code workDir}, or a name found in one of the {@code path} directories (an empty entry is
     * the working directory).
     */
    public static boolean isRunnable(String command, String path, Path workDir) {
        if (command.isEmpty()) return false;
        if (command.contains("/")) return isExecutableFile(workDir.resolve(command));
        String search = path == null ? "/usr/local/bin:/usr/bin:/bin" : path;
        for (String dir : search.split(":", -1)) {
            Path base = dir.isEmpty() ? workDir : workDir.resolve(dir);
            if (isExecutableFile(base.resolve(command))) return true;
        }
        return false;
    }

    private static boolean isExecutableFile(Path p) {
        return Files.isRegularFile(p) && Files.isExecutable(p);
    }
}
