package io.nightshift.sdk.kafka;

import java.nio.file.Path;

/** What a handler may know about where it runs. Given once, to {@link RecordHandler#open}. */
public interface HandlerContext {
    String jobId();

    /** The task ({@code <runId>.<instance>}) this harness runs as. */
    String taskId();

    /** 0-based instance number within the job; stable across retries. */
    int instance();

    /** The consumer group all instances share. */
    String groupId();

    /** The task's sandbox: a private working directory. */
    Path sandbox();
}
