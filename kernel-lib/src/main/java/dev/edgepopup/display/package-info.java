/**
 * Rich display of notebook values: {@link dev.edgepopup.display.Renderers} maps Java types to MIME
 * bundles (HTML tables, PNG/SVG charts) and plugs them into any IJava-compatible kernel; {@link
 * dev.edgepopup.display.Display} shows values from code and updates them in place.
 */
package dev.edgepopup.display;
