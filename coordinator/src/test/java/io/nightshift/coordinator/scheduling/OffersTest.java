package io.nightshift.coordinator.scheduling;

import static io.nightshift.api.model.PendingReason.Kind.DYNAMIC;
import io.nightshift.api.Resources;
import io.nightshift.api.model.PendingReason;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static io.nightshift.coordinator.scheduling.Fixtures.NOW;
import static io.nightshift.coordinator.scheduling.Fixtures.agent;
import static io.nightshift.coordinator.scheduling.Fixtures.queue;
import static io.nightshift.coordinator.scheduling.Fixtures.snapshot;
import static io.nightshift.coordinator.scheduling.Fixtures.task;
import static org.assertj.core.api.Assertions.assertThat;

/** Offers to one queue at a time, declines with filters, expiry and rescinding. */
class OffersTest {

    private final OfferCycle cycle = new OfferCycle(SchedulingPolicy.defaults());

    @Test
    void aQueueThatCannotUseAnAgentDeclinesItWithAFilter() {
        var plan = cycle.plan(snapshot().queues(queue("big", 1))
                .agents(agent("a1").cpus(2).memMb(4096))
                .pending(task("huge").queue("big").cpus(8).memMb(1024)).build());

        assertThat(plan.declineFilters()).containsExactly(
                new DeclineFilter("big", "a1", new Resources(2, 4096, 0, 0), NOW, NOW.plusSeconds(5)));
        assertThat(plan.offerOn("a1")).get().extracting(Offer::queue).as("open: no queue wants it").isNull();
    }

    @Test
    void aDeclineFilterIsHonouredUntilItExpires() {
        // "later" was in back-off when big declined a1; once due, it fits a1 but big's filter keeps a1 away
        // until NOW + 5 s. At NOW + 6 s the filter is gone and it is placed.
        var filter = new DeclineFilter("big", "a1", new Resources(2, 4096, 0, 0), NOW, NOW.plusSeconds(5));
        var later = task("later").queue("big").cpus(1).memMb(128).queuedSecondsAgo(30);

        var during = cycle.plan(snapshot().now(NOW.plusSeconds(3)).queues(queue("big", 1))
                .agents(agent("a1").cpus(2).memMb(4096)).pending(later).declineFilters(List.of(filter)).build());
        var after = cycle.plan(snapshot().now(NOW.plusSeconds(6)).queues(queue("big", 1))
                .agents(agent("a1").cpus(2).memMb(4096)).pending(later).declineFilters(during.declineFilters()).build());

        assertThat(during.placements()).isEmpty();
        assertThat(during.reasonsFor("later")).containsExactly(PendingReason.of("offer.declined", DYNAMIC, 1,
                "queue big declined the agent until " + NOW.plusSeconds(5)));
        assertThat(during.declineFilters()).containsExactly(filter);
        assertThat(after.placementOf("later")).isPresent();
        assertThat(after.declineFilters()).isEmpty();
    }

    @Test
    void anAgentThatGrewBeyondWhatWasDeclinedIsOfferedAgain() {
        var filter = new DeclineFilter("big", "a1", new Resources(2, 4096, 0, 0), NOW, NOW.plusSeconds(5));
        var plan = cycle.plan(snapshot().now(NOW.plusSeconds(1)).queues(queue("big", 1))
                .agents(agent("a1").cpus(8).memMb(4096))
                .pending(task("huge").queue("big").cpus(8).memMb(1024).queuedSecondsAgo(60))
                .declineFilters(List.of(filter)).build());

        assertThat(plan.placementOf("huge")).isPresent();
    }

    @Test
    void newWorkInTheQueueRevivesIt() {
        var filter = new DeclineFilter("big", "a1", new Resources(2, 4096, 0, 0), NOW, NOW.plusSeconds(5));
        var plan = cycle.plan(snapshot().now(NOW.plusSeconds(2)).queues(queue("big", 1))
                .agents(agent("a1").cpus(2).memMb(4096))
                .pending(task("fresh").queue("big").cpus(1).memMb(128).queuedAt(NOW.plusSeconds(1)))
                .declineFilters(List.of(filter)).build());

        assertThat(plan.placementOf("fresh")).isPresent();
    }

    @Test
    void anUnexpiredOfferReservesItsAgentForItsQueue() {
        // a1 is offered to queue x until NOW + 20 s. y's task fits a1 but must wait; x has nothing for a1
        // and declines it, so the leftover goes to y, the queue that wants it.
        var offer = new Offer("o-6-a1", "a1", new Resources(4, 4096, 0, 0), NOW.minusSeconds(10), NOW.plusSeconds(20), "x");
        var plan = cycle.plan(snapshot().queues(queue("x", 1), queue("y", 1))
                .agents(agent("a1").cpus(4).memMb(4096))
                .pending(task("y1").queue("y").cpus(1).memMb(128))
                .offers(List.of(offer)).build());

        assertThat(plan.placements()).isEmpty();
        assertThat(plan.reasonsFor("y1")).containsExactly(PendingReason.of("offer.other-queue", DYNAMIC, 1,
                "the agent is offered to another queue until that offer expires or is declined"));
        assertThat(plan.declineFilters()).extracting(DeclineFilter::queue, DeclineFilter::agentId).containsExactly(
                org.assertj.core.groups.Tuple.tuple("x", "a1"));
        assertThat(plan.offerOn("a1")).get().extracting(Offer::queue, Offer::id).containsExactly("y", "o-7-a1");
    }

    @Test
    void theQueueHoldingAnOfferPlacesOnItUnderTheOffersId() {
        var offer = new Offer("o-6-a1", "a1", new Resources(4, 4096, 0, 0), NOW.minusSeconds(10), NOW.plusSeconds(20), "x");
        var plan = cycle.plan(snapshot().queues(queue("x", 1))
                .agents(agent("a1").cpus(4).memMb(4096))
                .pending(task("x1").queue("x").cpus(1).memMb(128))
                .offers(List.of(offer)).build());

        assertThat(plan.placementOf("x1")).get().extracting(Placement::offerId).isEqualTo("o-6-a1");
    }

    @Test
    void offersExpireAndAreRescindedWhenTheAgentGoes() {
        Instant created = NOW.minusSeconds(40);
        var expired = new Offer("o-5-a1", "a1", new Resources(1, 0, 0, 0), created, NOW, "x");
        var gone = new Offer("o-5-gone", "gone", new Resources(1, 0, 0, 0), created, NOW.plusSeconds(20), "x");
        var openGone = new Offer("o-5-left", "left", new Resources(1, 0, 0, 0), created, NOW.plusSeconds(20));
        var plan = cycle.plan(snapshot().queues(queue("x", 1)).agents(agent("a1").cpus(1))
                .offers(List.of(expired, gone, openGone)).build());

        assertThat(plan.expiredOffers()).containsExactly("o-5-a1");
        assertThat(plan.rescindedOffers()).containsExactly("o-5-gone", "o-5-left");
        assertThat(plan.offerOn("a1")).get().extracting(Offer::id, Offer::queue).containsExactly("o-7-a1", null);
    }
}
