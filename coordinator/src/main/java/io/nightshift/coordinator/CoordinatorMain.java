package io.nightshift.coordinator;

import io.nightshift.api.config.Config;
import io.nightshift.api.config.ConfigException;
import io.nightshift.api.config.Setting;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a coordinator in its own JVM until SIGTERM (used by tests that kill coordinators for real;
 * the real CLI is {@code nightshift coordinator}). Flags map to settings by name without the
 * {@code coordinator.} prefix: {@code --port 0}, {@code --data-dir DIR}, {@code --cluster-name N},
 * {@code --state.jdbc-url URL}, ... Once serving it prints {@code nightshift-coordinator ready <url>}.
 */
public final class CoordinatorMain {
    private CoordinatorMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Coordinator coordinator;
        try {
            coordinator = Coordinator.start(CoordinatorConfig.from(
                    Config.load(CoordinatorSettings.ALL, null, System.getenv(), flags(args))));
        } catch (IllegalArgumentException | ConfigException e) {
            System.err.println("nightshift-coordinator: " + e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            coordinator.close();
            stopped.countDown();
        }, "nightshift-coordinator-shutdown"));
        System.out.println("nightshift-coordinator ready " + coordinator.url());
        System.out.flush();
        stopped.await();
    }

    static Map<String, String> flags(String[] args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || a.length() == 2) throw new IllegalArgumentException("unexpected argument '" + a + "'");
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else {
                if (i + 1 >= args.length) throw new IllegalArgumentException("flag " + a + " needs a value");
                value = args[++i];
            }
            String key = "coordinator." + name;
            if (CoordinatorSettings.ALL.stream().map(Setting::name).noneMatch(key::equals))
                throw new IllegalArgumentException("unknown flag --" + name);
            out.put(key, value);
        }
        return out;
    }
}
