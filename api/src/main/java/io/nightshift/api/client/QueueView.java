package io.nightshift.api.client;

import io.nightshift.api.Resources;
import io.nightshift.api.queue.QueueSpec;
import java.util.Objects;

/**
 * One queue as {@code GET /v1/queues} and {@code GET /v1/queues/{name}} describe it: its definition and,
 * once the scheduler has run a cycle with it, how much of the cluster it holds against its fair share.
 *
 * @param spec  the queue's definition as stored (defaults filled in)
 * @param share what it held at the end of the latest offer cycle; {@code null} before the first cycle
 *              that saw the queue
 */
public record QueueView(QueueSpec spec, Share share) {

    public QueueView {
        Objects.requireNonNull(spec, "spec");
    }

    /** The queue's name. */
    public String name() {
        return spec.name();
    }

    /**
     * A queue at the end of an offer cycle. Shares are dominant shares in [0, 1] (the largest of
     * cpus, memMb and gpus held over the cluster's total).
     *
     * @param allocated what it holds: running tasks, those placed this cycle and resources held for its gangs
     * @param share     its dominant share now
     * @param fairShare its weighted max-min fair dominant share given every queue's demand, which DRF
     *                  converges to while demand stays as it is
     * @param pending   tasks still waiting after the cycle
     * @param running   tasks running after the cycle (placed ones included)
     */
    public record Share(String queue, double weight, Resources allocated, double share, double fairShare, int pending,
                        int running) {
    }
}
