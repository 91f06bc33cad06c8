package io.nightshift.api.spec;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.parser.CronParser;

/**
 * Cron expressions through cron-utils, in the two syntaxes a schedule accepts. Parsers are immutable and
 * shared. Used by the parser (checked at submit) and by the coordinator's fire-time step.
 */
public final class Crons {
    public static final int MAX_EXPRESSION_CHARS = 256;

    private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final CronParser QUARTZ = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));

    private Crons() {
    }

    /** The parsed, validated expression; IllegalArgumentException with cron-utils' reason when it is not one. */
    public static Cron parse(ScheduleSpec.CronSyntax syntax, String expression) {
        if (expression == null || expression.isBlank()) throw new IllegalArgumentException("the expression is empty");
        if (expression.length() > MAX_EXPRESSION_CHARS)
            throw new IllegalArgumentException("longer than " + MAX_EXPRESSION_CHARS + " characters");
        CronParser p = syntax == ScheduleSpec.CronSyntax.QUARTZ ? QUARTZ : UNIX;
        Cron cron = p.parse(expression.trim());
        return cron.validate();
    }

    public static CronDefinition definition(ScheduleSpec.CronSyntax syntax) {
        return CronDefinitionBuilder.instanceDefinitionFor(syntax == ScheduleSpec.CronSyntax.QUARTZ ? CronType.QUARTZ : CronType.UNIX);
    }
}
