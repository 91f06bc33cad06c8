package io.nightshift.coordinator.simulation;

/** The scheduling core broke a safety property during a simulation. Fails the run loudly. */
public final class InvariantViolation extends IllegalStateException {
    public InvariantViolation(String message) {
        super(message);
    }
}
