package io.nightshift.coordinator.scheduling;

import java.time.Duration;
import java.util.Objects;

/**
 * How offers are made.
 *
 * @param offerTtl how long an offer stays valid after it is made; positive. Default 30 s.
 */
public record OfferPolicy(Duration offerTtl) {

    public static final Duration DEFAULT_OFFER_TTL = Duration.ofSeconds(30);

    public OfferPolicy {
        Objects.requireNonNull(offerTtl, "offerTtl");
        if (offerTtl.isNegative() || offerTtl.isZero()) {
            throw new IllegalArgumentException("offerTtl must be positive: " + offerTtl);
        }
    }

    public static OfferPolicy defaults() {
        return new OfferPolicy(DEFAULT_OFFER_TTL);
    }
}
