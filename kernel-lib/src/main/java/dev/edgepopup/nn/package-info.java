/**
 * Networks of masked layers. Start reading at {@link dev.edgepopup.nn.EdgePopupRule}, the paper's
 * rule on one screen (|s|, its top-k, the straight-through gradient); {@link
 * dev.edgepopup.nn.MaskedLayer} applies a rule to a weight, {@link dev.edgepopup.nn.Masks#topK}
 * defines the top-k mask, and {@link dev.edgepopup.nn.Nets} builds FC, ConvX and ResNets from a
 * {@link dev.edgepopup.nn.NetSpec}.
 */
package dev.edgepopup.nn;
