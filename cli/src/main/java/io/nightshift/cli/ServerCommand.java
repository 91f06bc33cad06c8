package io.nightshift.cli;

/** Marks the long-running commands (coordinator, agent, local, demo, bench): they log at INFO. */
interface ServerCommand {
}
