/**
 * PURE: schedules. {@link io.nightshift.coordinator.schedules.FireTimes} turns a cron expression in a zone (or
 * one {@code at}) into instants, correct over DST; {@link io.nightshift.coordinator.schedules.ScheduleStep}
 * decides from the snapshot's time which scheduled times fire now (missed-run and concurrency policies). No
 * clock, no I/O: the shell ({@code core/}) stores the decision with the run it opens.
 */
package io.nightshift.coordinator.schedules;
