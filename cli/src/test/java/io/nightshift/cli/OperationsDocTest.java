package io.nightshift.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.config.Setting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/operations.md lists every declared setting with its default, and nothing else. */
class OperationsDocTest {
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z0-9.-]+)` \\| ([a-z]+) \\| `?([^|`]*)`? \\|");

    @Test
    void operationsGuideListsEverySettingWithItsTypeAndDefault() throws Exception {
        Path doc = Path.of("..", "docs", "operations.md");
        Map<String, String> documented = new LinkedHashMap<>();
        for (String line : Files.readAllLines(doc)) {
            Matcher m = ROW.matcher(line);
            if (m.find()) documented.put(m.group(1), m.group(2) + " " + m.group(3).trim());
        }
        Map<String, String> declared = new LinkedHashMap<>();
        StringBuilder expectedRows = new StringBuilder();
        for (Setting<?> s : Nightshift.declaredSettings()) {
            String def = s.defaultValue() == null ? "" : String.valueOf(s.defaultValue());
            declared.put(s.name(), s.type() + " " + def);
            expectedRows.append("| `").append(s.name()).append("` | ").append(s.type()).append(" | ")
                    .append(def.isEmpty() ? "" : "`" + def + "`").append(" | `").append(s.envName()).append("` | ")
                    .append(s.doc()).append(" (").append(s.constraint()).append(") |\n");
        }
        assertThat(documented).as("rows of docs/operations.md; expected rows:\n" + expectedRows).isEqualTo(declared);
    }
}
