package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;

/**
 * One queue at the end of a cycle: what it holds and how that compares with its fair share.
 *
 * @param allocated     running + placed this cycle + held for its gangs
 * @param share         dominant share in [0, 1]: max over cpus, memMb, gpus of allocated / cluster total
 * @param fairShare     its weighted max-min fair dominant share given every queue's demand (guarantee
 *                      first, limit respected): what DRF converges to if demand stays as it is
 * @param pending       tasks still pending after this cycle
 * @param running       tasks running after this cycle (placed ones included)
 */
public record QueueShare(String queue, double weight, Resources allocated, double share, double fairShare, int pending,
                         int running) {
}
