package io.nightshift.coordinator.http;

import io.nightshift.api.json.Json;
import io.vertx.ext.web.RoutingContext;

/** JSON answers with the shared mapper. */
final class Responses {
    private Responses() {
    }

    static void json(RoutingContext ctx, int status, Object body) {
        if (ctx.response().closed()) return;
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(Json.write(body));
    }
}
