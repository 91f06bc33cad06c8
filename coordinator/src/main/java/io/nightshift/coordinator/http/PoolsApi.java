package io.nightshift.coordinator.http;

import io.nightshift.api.model.AgentInfo;
import io.nightshift.api.pool.PoolSpec;
import io.nightshift.api.pool.PoolSpecParser;
import io.nightshift.api.pool.WindowSpec;
import io.nightshift.api.spec.InvalidSpecException;
import io.nightshift.api.spec.Problem;
import io.nightshift.coordinator.core.SchedulerCore;
import io.nightshift.coordinator.core.SchedulerCore.ConflictException;
import io.nightshift.coordinator.utilization.PoolUtilizationHistory;
import io.nightshift.coordinator.utilization.UtilizationSampler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code /v1/pools}: machines shared with their owners. A pool's view is its spec, the agents in it (by
 * their {@code pool} attribute) with the owners' share and idle capacity summed, whether it lends its
 * reservation now, and each window's current or next opening; a single pool's view adds its hour-of-week
 * profile of idle capacity (the forecast).
 */
final class PoolsApi {
    private final SchedulerCore core;
    private final Supplier<Collection<AgentInfo>> agents;
    private final WorkerExecutor workers;
    private final Vertx vertx;
    private final Clock clock;
    private final PoolUtilizationHistory history; // nullable: no per-pool series kept
    private final java.time.Duration step;

    PoolsApi(SchedulerCore core, Supplier<Collection<AgentInfo>> agents, WorkerExecutor workers, Vertx vertx, Clock clock,
             PoolUtilizationHistory history, java.time.Duration step) {
        this.history = history;
        this.step = step;
        this.core = core;
        this.agents = agents;
        this.workers = workers;
        this.vertx = vertx;
        this.clock = clock;
    }

    void list(RoutingContext ctx) {
        workers.executeBlocking(() -> {
            Collection<AgentInfo> all = agents.get();
            List<Object> out = new ArrayList<>();
            for (PoolSpec p : core.pools()) out.add(view(p, all, false));
            return Map.of("pools", out);
        }, false).onComplete(ar -> {
            if (ar.succeeded()) Responses.json(ctx, 200, ar.result());
            else ctx.fail(500, ar.cause());
        });
    }

    void get(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        PoolSpec p = find(name);
        if (p == null) {
            notFound(ctx, name);
            return;
        }
        workers.executeBlocking(() -> view(p, agents.get(), true), false).onComplete(ar -> {
            if (ar.succeeded()) Responses.json(ctx, 200, ar.result());
            else ctx.fail(500, ar.cause());
        });
    }

    /**
     * {@code GET /v1/pools/{name}/utilization?since=&points=}: the pool's sampled capacity over time (default the last
     * 24 hours); 404 for a pool that is not declared, 400 naming a bad parameter.
     */
    void utilization(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        if (find(name) == null) {
            notFound(ctx, name);
            return;
        }
        UtilizationHandler.Range range = UtilizationHandler.range(ctx, Instant.now(), DEFAULT_SINCE);
        if (range == null) return;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("pool", name);
        body.put("intervalSeconds", step.toMillis() / 1000.0);
        body.put("since", range.since());
        body.put("samples", history == null ? List.of() : history.since(name, range.since(), range.points()));
        Responses.json(ctx, 200, body);
    }

    static final java.time.Duration DEFAULT_SINCE = java.time.Duration.ofHours(24);

    void put(RoutingContext ctx, boolean post) {
        String name = post ? null : ctx.pathParam("name");
        if (name != null && !PoolSpecParser.NAME.matcher(name).matches()) {
            Problems.send(ctx, 400, "invalid-pool", "Invalid pool", "a pool name matches " + PoolSpecParser.NAME.pattern(),
                    List.of(new Problem("/name", "must match " + PoolSpecParser.NAME.pattern())));
            return;
        }
        PoolSpec p;
        try {
            Buffer body = ctx.body().buffer();
            p = PoolSpecParser.parse(body == null ? new byte[0] : body.getBytes(), name);
        } catch (InvalidSpecException e) {
            Problems.send(ctx, 400, "invalid-pool", "Invalid pool", e.problems().size() + " problem(s) in the pool", e.problems());
            return;
        }
        Future.fromCompletionStage(core.putPool(p, post), vertx.getOrCreateContext()).onComplete(ar -> {
            if (ar.succeeded()) {
                ctx.response().putHeader("Location", "/v1/pools/" + p.name());
                Responses.json(ctx, ar.result() ? 201 : 200, Map.of("spec", p));
            } else if (ar.cause() instanceof ConflictException c) {
                Problems.send(ctx, 409, "conflict", "Conflict", c.getMessage());
            } else {
                ctx.fail(500, ar.cause());
            }
        });
    }

    void delete(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        if (!PoolSpecParser.NAME.matcher(name).matches()) {
            notFound(ctx, name);
            return;
        }
        Future.fromCompletionStage(core.deletePool(name), vertx.getOrCreateContext()).onComplete(ar -> {
            if (ar.succeeded() && ar.result()) ctx.response().setStatusCode(204).end();
            else if (ar.succeeded()) notFound(ctx, name);
            else ctx.fail(500, ar.cause());
        });
    }

    /** The declared pool named {@code name}, or null. */
    private PoolSpec find(String name) {
        return core.pools().stream().filter(x -> x.name().equals(name)).findFirst().orElse(null);
    }

    private static void notFound(RoutingContext ctx, String name) {
        String shown = name.length() > 64 ? name.substring(0, 64) + "..." : name;
        Problems.send(ctx, 404, "not-found", "Pool not found", "no pool '" + shown.replaceAll("[^A-Za-z0-9_.-]", "?") + "'");
    }

    private Map<String, Object> view(PoolSpec p, Collection<AgentInfo> all, boolean withProfile) {
        Instant now = clock.instant();
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("spec", p);
        List<String> ids = new ArrayList<>();
        for (AgentInfo a : all) if (UtilizationSampler.inPool(a, p)) ids.add(a.id());
        PoolUtilizationHistory.Sample held = UtilizationSampler.poolSample(p, all, now, now);
        v.put("agents", ids);
        v.put("total", held.total());
        v.put("owners", held.owners());
        v.put("idle", held.idle());
        v.put("lending", held.lending());
        List<Object> windows = new ArrayList<>();
        for (WindowSpec w : p.windows()) {
            Map<String, Object> wv = new LinkedHashMap<>();
            wv.put("name", w.name());
            var open = w.openingAt(now);
            wv.put("open", open.isPresent());
            WindowSpec.Opening o = open.orElseGet(() -> w.nextOpening(now));
            wv.put("opensAt", o.opens());
            wv.put("closesAt", o.closes());
            windows.add(wv);
        }
        v.put("windows", windows);
        if (withProfile) v.put("profile", core.capacityProfile().profile(p.name()));
        return v;
    }
}
