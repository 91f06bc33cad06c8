package io.nightshift.coordinator.scheduling;

import static io.nightshift.coordinator.scheduling.Fixtures.agent;
import static io.nightshift.coordinator.scheduling.Fixtures.snapshot;
import static io.nightshift.coordinator.scheduling.Fixtures.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.spec.Constraint;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.spec.KafkaSpec;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DefaultSpreadTest {
    private static JobSpec.Builder kafka(int instances) {
        return JobSpec.kafka(new KafkaSpec("127.0.0.1:9092", List.of("t"), null, "g", KafkaSpec.Mode.STREAM, null, List.of(),
                new KafkaSpec.SinkSpec("/tmp/x", 0, null), Map.of(), 0, null, null)).id("k").instances(instances);
    }

    @Test
    void aKafkaJobOfSeveralInstancesIsSpreadOverHostsUnlessItSaysOtherwise() {
        assertThat(DefaultSpread.constraints(kafka(3).build()))
                .containsExactly(new Constraint("hostname", Constraint.Operator.GROUP_BY, null));
        assertThat(DefaultSpread.constraints(kafka(1).build())).isEmpty();
        Constraint own = Constraint.cluster("hostname");
        assertThat(DefaultSpread.constraints(kafka(3).constraint(own).build())).containsExactly(own);
        Constraint rack = Constraint.unique("rack");
        assertThat(DefaultSpread.constraints(kafka(2).constraint(rack).build())).containsExactly(rack, DefaultSpread.KAFKA_SPREAD);
        assertThat(DefaultSpread.constraints(JobSpec.command("true").id("c").instances(3).build())).isEmpty();
    }

    @Test
    void theSpreadPlacesThreeInstancesOnTwoHostsTwoAndOneWhereBestFitWouldPackOneHost() {
        // Two roomy hosts: without a constraint best fit packs all three onto one.
        var cycle = new OfferCycle(SchedulingPolicy.defaults());
        var tasks = IntStream.range(0, 3).mapToObj(i -> task("t" + i).job("k").run("k.r1", 3).cpus(1).memMb(256)
                .constraint(DefaultSpread.KAFKA_SPREAD)).toArray(Fixtures.TaskBuilder[]::new);
        var plan = cycle.plan(snapshot().agents(agent("h1").cpus(16).memMb(65536), agent("h2").cpus(16).memMb(65536))
                .pending(tasks).build());
        Map<String, Long> perAgent = new TreeMap<>();
        plan.placements().forEach(p -> perAgent.merge(p.agentId(), 1L, Long::sum));
        assertThat(perAgent.values()).containsExactlyInAnyOrder(2L, 1L);
    }
}
