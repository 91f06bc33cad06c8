package io.nightshift.agent.logs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Byte arithmetic on append-only log files. */
public final class LogFiles {
    private static final int BLOCK = 8192;

    private LogFiles() {
    }

    /**
     * The byte offset where the last {@code lines} lines of the first {@code size} bytes begin: just
     * after the {@code lines}-th newline counted back from the end (a final newline terminates the
     * last line and is not counted), or 0 when the file has fewer lines.
     */
    public static long tailStart(FileChannel ch, long size, int lines) throws IOException {
        if (lines <= 0 || size == 0) return size;
        long end = size;
        ByteBuffer one = ByteBuffer.allocate(1);
        if (ch.read(one, size - 1) == 1 && one.get(0) == '\n') end = size - 1;
        int seen = 0;
        ByteBuffer buf = ByteBuffer.allocate(BLOCK);
        long pos = end;
        while (pos > 0) {
            int len = (int) Math.min(BLOCK, pos);
            long from = pos - len;
            buf.clear().limit(len);
            int read = 0;
            while (read < len) {
                int n = ch.read(buf, from + read);
                if (n < 0) break;
                read += n;
            }
            for (int i = read - 1; i >= 0; i--) {
                if (buf.get(i) == '\n' && ++seen == lines) return from + i + 1;
            }
            pos = from;
        }
        return 0;
    }
}
