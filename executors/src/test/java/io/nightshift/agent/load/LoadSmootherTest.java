package io.nightshift.agent.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.nightshift.api.model.OwnerLoad;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LoadSmootherTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void aStepIsHalfReflectedAfterOneHalfLifeWhateverTheSamplingInterval() {
        LoadSmoother coarse = new LoadSmoother(Duration.ofSeconds(10), Duration.ofMinutes(1));
        LoadSmoother fine = new LoadSmoother(Duration.ofSeconds(10), Duration.ofMinutes(1));
        coarse.add(T0, new ProcLoad.Raw(0, 0));
        fine.add(T0, new ProcLoad.Raw(0, 0));
        OwnerLoad c = coarse.add(T0.plusSeconds(10), new ProcLoad.Raw(4, 4000));
        OwnerLoad f = null;
        for (int s = 1; s <= 10; s++) f = fine.add(T0.plusSeconds(s), new ProcLoad.Raw(4, 4000));
        assertThat(c.cpus()).isCloseTo(2.0, within(1e-3));
        assertThat(f.cpus()).isCloseTo(2.0, within(1e-3));
        assertThat(c.memMb()).isEqualTo(2000);
    }

    @Test
    void thePeakIsTheHighestRawSampleOfTheWindowAndAgesOut() {
        LoadSmoother s = new LoadSmoother(Duration.ofSeconds(30), Duration.ofSeconds(60));
        s.add(T0, new ProcLoad.Raw(0.5, 100));
        OwnerLoad spike = s.add(T0.plusSeconds(5), new ProcLoad.Raw(3.5, 900));
        assertThat(spike.peakCpus()).isEqualTo(3.5);
        assertThat(spike.peakMemMb()).isEqualTo(900);
        assertThat(spike.cpus()).isLessThan(1.5);            // the average lags behind a short spike
        assertThat(spike.worstCpus()).isEqualTo(3.5);         // the worst of the two is what reclaim looks at
        OwnerLoad later = s.add(T0.plusSeconds(70), new ProcLoad.Raw(0.5, 100));
        assertThat(later.peakCpus()).isEqualTo(0.5);          // the spike left the 60 s window
    }
}
