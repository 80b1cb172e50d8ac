package dev.edgepopup.sweep;

import dev.edgepopup.store.RunConfig;

/**
 * One run of a sweep's plan.
 *
 * @param number its place among the plan's runs, from 1
 * @param config its configuration
 */
record PlannedRun(int number, RunConfig config) {}
