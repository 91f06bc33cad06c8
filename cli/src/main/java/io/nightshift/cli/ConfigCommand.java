package io.nightshift.cli;

import io.nightshift.api.config.Config;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code nightshift config}: every setting (coordinator, agent, CLI) with its effective value, source and doc. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = {"Show every setting: effective value, source and description.",
                "Sources, lowest precedence first: default, file (--config or ./nightshift.properties),",
                "env (NIGHTSHIFT_<KEY>, e.g. NIGHTSHIFT_COORDINATOR_PORT), flag (--set key=value). Secrets are masked."})
final class ConfigCommand implements Callable<Integer> {
    @ParentCommand
    Nightshift root;

    @Override
    public Integer call() {
        Config config = root.config();
        if (!root.json()) {
            root.out.print(Views.configTable(config));
            return 0;
        }
        List<Map<String, Object>> settings = new ArrayList<>();
        for (Config.Entry e : config.entries()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("key", e.setting().name());
            m.put("value", e.setting().secret() ? (e.value() == null ? null : e.display()) : e.value() == null ? null : String.valueOf(e.value()));
            m.put("source", e.source().name().toLowerCase(Locale.ROOT));
            m.put("type", e.setting().type());
            m.put("default", e.setting().defaultValue() == null ? null : String.valueOf(e.setting().defaultValue()));
            m.put("allowed", e.setting().constraint());
            m.put("env", e.setting().envName());
            m.put("secret", e.setting().secret());
            m.put("doc", e.setting().doc());
            settings.add(m);
        }
        root.out.println(Cli.pretty(Map.of("settings", settings)));
        return 0;
    }
}
