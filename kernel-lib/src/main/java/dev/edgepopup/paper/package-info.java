/**
 * The paper itself, to compare a run with: its numbers and their sources ({@link
 * dev.edgepopup.paper.Paper}, with Table 1 computed from the library's networks), its Table 2
 * beside a run's rows ({@link dev.edgepopup.paper.Table2}), and its findings checked against
 * measured values with a margin larger than the spread over seeds ({@link
 * dev.edgepopup.paper.Claim}, {@link dev.edgepopup.paper.Measured}), summed up in one sentence
 * ({@link dev.edgepopup.paper.Verdict}).
 */
package dev.edgepopup.paper;
