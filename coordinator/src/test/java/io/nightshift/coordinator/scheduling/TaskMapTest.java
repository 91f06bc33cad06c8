package io.nightshift.coordinator.scheduling;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TaskMapTest {

    /** Any sequence of puts (with repeats, and past several re-hashes) reads back as a LinkedHashMap does. */
    @Property(tries = 200)
    void behavesAsAnInsertionOrderedMap(@ForAll("puts") List<String> keys, @ForAll("sizes") int expected) {
        TaskMap<Integer> map = new TaskMap<>(expected);
        Map<String, Integer> model = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            assertThat(map.put(keys.get(i), i)).isEqualTo(model.put(keys.get(i), i));
        }
        assertThat(map).isEqualTo(model).hasSameHashCodeAs(model);
        assertThat(map.size()).isEqualTo(model.size());
        assertThat(new ArrayList<>(map.keySet())).containsExactlyElementsOf(model.keySet());
        assertThat(new ArrayList<>(map.values())).containsExactlyElementsOf(model.values());
        List<String> seen = new ArrayList<>();
        map.forEach((k, v) -> {
            seen.add(k);
            assertThat(v).isEqualTo(model.get(k));
        });
        assertThat(seen).containsExactlyElementsOf(model.keySet());
        for (String k : model.keySet()) assertThat(map.get(k)).isEqualTo(model.get(k));
        assertThat(map.get("absent")).isNull();
        assertThat(map.containsKey("absent")).isFalse();
        assertThat(map.getOrDefault("absent", -1)).isEqualTo(-1);
        assertThat(map.get(42)).isNull();
    }

    @Provide
    Arbitrary<List<String>> puts() {
        // few distinct ids so that repeats are common, and many puts so that the table grows several times
        return Arbitraries.integers().between(0, 3_000).map(i -> "t" + i).list().ofMaxSize(5_000);
    }

    @Provide
    Arbitrary<Integer> sizes() {
        return Arbitraries.integers().between(0, 6_000);
    }

    @Test
    void puttingAKeyAgainReplacesItsValueWhereItWas() {
        TaskMap<String> map = new TaskMap<>(0);
        map.put("a", "1");
        map.put("b", "2");
        map.put("a", "3");

        assertThat(map).containsExactly(Map.entry("a", "3"), Map.entry("b", "2"));
    }

    @Test
    void aFrozenMapRefusesEveryChange() {
        TaskMap<String> map = new TaskMap<>(2);
        map.put("a", "1");
        map.replaceAll((k, v) -> v + "!");
        map.freeze();

        assertThat(map.frozen()).isTrue();
        assertThat(map).containsExactly(Map.entry("a", "1!"));
        assertThatThrownBy(() -> map.put("b", "2")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> map.put("a", "2")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> map.replaceAll((k, v) -> v)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> map.remove("a")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(map::clear).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> map.entrySet().iterator().next().setValue("x")).isInstanceOf(UnsupportedOperationException.class);
        assertThat(map).containsExactly(Map.entry("a", "1!"));
    }

    @Test
    void aPlanKeepsTheCoresFrozenMapsAndCopiesAnyOther() {
        TaskMap<List<io.nightshift.api.model.PendingReason>> reasons = new TaskMap<>(1);
        reasons.put("t1", List.of());
        Plan kept = new Plan(1, List.of(), List.of(), reasons.freeze(), null);
        assertThat(kept.pendingReasons()).isSameAs(reasons);

        Map<String, List<io.nightshift.api.model.PendingReason>> open = new LinkedHashMap<>();
        open.put("t1", new ArrayList<>());
        Plan copied = new Plan(1, List.of(), List.of(), open, null);
        open.put("t2", List.of());
        assertThat(copied.pendingReasons()).containsOnlyKeys("t1");
        assertThatThrownBy(() -> copied.pendingReasons().get("t1").add(null)).isInstanceOf(UnsupportedOperationException.class);
    }
}
