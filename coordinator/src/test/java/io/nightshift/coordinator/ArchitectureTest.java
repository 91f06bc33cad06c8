package io.nightshift.coordinator;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * Keeps the pure core pure: the scheduling core and the task/run state machines decide, the shell
 * acts. They must not reach Vert.x, Hazelcast, the network, the file system, the system clock or a
 * logger; time comes in as data and decisions go out as data.
 */
@AnalyzeClasses(packages = "io.nightshift.coordinator", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    private static final String SCHEDULING = "..coordinator.scheduling..";
    private static final String LIFECYCLE = "..coordinator.lifecycle..";
    private static final String SCHEDULES = "..coordinator.schedules..";

    /** Any call that reads the wall clock or a monotonic clock of the machine. */
    static final DescribedPredicate<JavaMethodCall> READS_SYSTEM_CLOCK = DescribedPredicate.describe(
            "read the system clock (System.currentTimeMillis/nanoTime, java.time *.now(), Clock.system*)",
            call -> {
                String owner = call.getTarget().getOwner().getName();
                String method = call.getTarget().getName();
                int params = call.getTarget().getRawParameterTypes().size();
                if (owner.equals("java.lang.System")) {
                    return method.equals("currentTimeMillis") || method.equals("nanoTime");
                }
                if (owner.equals("java.time.Clock")) {
                    return method.equals("systemUTC") || method.equals("systemDefaultZone") || method.equals("system");
                }
                // Instant.now(), LocalDateTime.now(), ZonedDateTime.now(ZoneId)…: every now() without a Clock.
                return owner.startsWith("java.time.") && method.equals("now")
                        && (params == 0 || !call.getTarget().getRawParameterTypes().get(0).getName().equals("java.time.Clock"));
            });

    private static final String[] NO_SHELL_PACKAGES = {
            "io.vertx..", "com.hazelcast..", "java.net..", "java.nio.file..", "org.slf4j..", "java.util.logging.."};

    @ArchTest
    static final ArchRule schedulingCoreHasNoShellDependencies = noShellDependencies(SCHEDULING);

    @ArchTest
    static final ArchRule schedulingCoreDoesNotReadTheClock = noClockReads(SCHEDULING);

    @ArchTest
    static final ArchRule lifecycleHasNoShellDependencies = noShellDependencies(LIFECYCLE).allowEmptyShould(true);

    @ArchTest
    static final ArchRule lifecycleDoesNotReadTheClock = noClockReads(LIFECYCLE).allowEmptyShould(true);

    @ArchTest
    static final ArchRule schedulesHaveNoShellDependencies = noShellDependencies(SCHEDULES);

    @ArchTest
    static final ArchRule schedulesDoNotReadTheClock = noClockReads(SCHEDULES);

    /** The same snapshot must give the same plan: no randomness in the scheduling core. */
    @ArchTest
    static final ArchRule schedulingCoreIsDeterministic = noClasses().that().resideInAPackage(SCHEDULING)
            .should().dependOnClassesThat().haveFullyQualifiedName("java.util.Random")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("java.security.SecureRandom")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.concurrent.ThreadLocalRandom")
            .orShould().callMethod("java.util.UUID", "randomUUID")
            .orShould().callMethod(Math.class, "random")
            .because("a plan must be a function of the snapshot alone");

    private static ArchRule noShellDependencies(String pkg) {
        return noClasses().that().resideInAPackage(pkg)
                .should().dependOnClassesThat().resideInAnyPackage(NO_SHELL_PACKAGES)
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.File")
                .because("the core is pure: the shell does I/O, transport and logging; decisions are data");
    }

    private static ArchRule noClockReads(String pkg) {
        return noClasses().that().resideInAPackage(pkg)
                .should().callMethodWhere(READS_SYSTEM_CLOCK)
                .because("time is an input: it comes in the snapshot (or as a Clock the shell passes in)");
    }
}
