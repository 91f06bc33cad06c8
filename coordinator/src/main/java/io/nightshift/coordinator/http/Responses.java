package io.nightshift.coordinator.http;

import io.nightshift.api.spec.Redaction;
import io.vertx.ext.web.RoutingContext;

/** JSON answers with the shared mapper, specs masked ({@link Redaction}): every API answer goes through here. */
final class Responses {
    private Responses() {
    }

    static void json(RoutingContext ctx, int status, Object body) {
        if (ctx.response().closed()) return;
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(Redaction.writeForApi(body));
    }
}
