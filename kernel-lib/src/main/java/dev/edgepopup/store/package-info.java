/**
 * Persistent runs: {@link dev.edgepopup.store.RunStore} keeps every run's configuration, epochs,
 * results and compact subnetwork in a database (an SQLite file by default, any JDBC database
 * otherwise), keyed by {@link dev.edgepopup.store.RunConfig#key()}, so sweeps skip what is done and
 * resume what was cut short.
 */
package dev.edgepopup.store;
