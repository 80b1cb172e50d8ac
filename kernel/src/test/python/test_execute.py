"""Values, rich output, stdout, Display updates, default imports and re-declarations."""
import base64

from harness import check, expect_ok, request, run


def kernel_info_describes_java(km, kc):
    check(km.kernel_spec.display_name == "Java (edge-popup)" and km.kernel_spec.language == "java", "kernelspec")
    info = request(kc, lambda c: c.kernel_info())
    check(info["status"] == "ok" and info["language_info"]["name"] == "java", info)
    check(info["implementation"] == "edgepopup-kernel", info)


def values_are_text_plain(km, kc):
    check(expect_ok(kc, "int x = 20;\nx + 22").value() == {"text/plain": "42"}, "x + 22")
    check(expect_ok(kc, "\"hello\"").value()["text/plain"] == "hello", "string value")
    result = expect_ok(kc, "int y = 1;")
    check(result.of_type("execute_result") == [], "a declaration shows nothing: %r" % result.outputs)


def tablesaw_table_is_html(km, kc):
    data = expect_ok(kc, 'import tech.tablesaw.api.*;\n'
                         'Table.create("scores", StringColumn.create("name", "a", "<b>"), IntColumn.create("n", 1, 2))').value()
    check("<table" in data["text/html"] and "<td>&lt;b&gt;</td>" in data["text/html"], data["text/html"])
    check("scores" in data["text/plain"], data["text/plain"])


def chart_is_png_and_svg_on_request(km, kc):
    expect_ok(kc, 'import org.knowm.xchart.*;\n'
                  'XYChart chart = new XYChartBuilder().width(640).height(400).title("loss").build();\n'
                  'chart.addSeries("train", new double[] {1, 2, 3}, new double[] {0.9, 0.4, 0.2});')
    png = base64.b64decode(expect_ok(kc, "chart").value()["image/png"])
    check(png[:8] == b"\x89PNG\r\n\x1a\n", "PNG signature")
    check(int.from_bytes(png[16:20], "big") == 640 and int.from_bytes(png[20:24], "big") == 400, "640x400 PNG")
    svg = expect_ok(kc, "Display.svg(chart)").value()
    check("<svg" in svg["image/svg+xml"] and "image/png" not in svg, sorted(svg))


def stdout_is_streamed(km, kc):
    result = expect_ok(kc, 'for (int i = 0; i < 3; i++) System.out.println("line " + i);')
    check(result.stdout() == "line 0\nline 1\nline 2\n", repr(result.stdout()))


def printf_shows_its_text_not_its_stream(km, kc):
    result = expect_ok(kc, 'System.out.printf("%d done%n", 3)')
    check(result.stdout() == "3 done\n", repr(result.stdout()))
    check(result.of_type("execute_result") == [], "no PrintStream value: %r" % result.outputs)


def display_show_and_update_in_place(km, kc):
    result = expect_ok(kc, 'var shown = Display.show("first");\nshown.update("second");\nshown.id()')
    [display] = result.of_type("display_data")
    [update] = result.of_type("update_display_data")
    display_id = display["content"]["transient"]["display_id"]
    check(display["content"]["data"]["text/plain"] == "first", display)
    check(update["content"]["data"]["text/plain"] == "second", update)
    check(update["content"]["transient"]["display_id"] == display_id, "same display id")
    check(result.value()["text/plain"] == display_id, "Handle.id()")
    # A display made in one cell can be updated from a later one.
    later = expect_ok(kc, 'shown.update(List.of(1, 2))')
    [update] = later.of_type("update_display_data")
    check(update["content"]["transient"]["display_id"] == display_id, "update from a later cell")


def kernel_lib_and_default_imports(km, kc):
    # dev.edgepopup.data and java.util/java.nio.file are imported; DJL is on the class path.
    value = expect_ok(kc, "List.of(ImageSet.class.getSimpleName(), Path.of(\"a\").toString(), "
                          "ai.djl.ndarray.types.Shape.class.getSimpleName())").value()
    check(value["text/plain"] == "[ImageSet, a, Shape]", value)


def redeclared_methods_and_classes_take_over(km, kc):
    expect_ok(kc, "int f(int v) { return v + 1; }")
    check(expect_ok(kc, "f(1)").value()["text/plain"] == "2", "first f")
    expect_ok(kc, "int f(int v) { return v * 10; }")
    check(expect_ok(kc, "f(1)").value()["text/plain"] == "10", "redeclared f")
    expect_ok(kc, "class Box { String tag() { return \"v1\"; } }")
    expect_ok(kc, "class Box { String tag() { return \"v2\"; } }")
    check(expect_ok(kc, "new Box().tag()").value()["text/plain"] == "v2", "redeclared class")


run(kernel_info_describes_java, values_are_text_plain, tablesaw_table_is_html, chart_is_png_and_svg_on_request, stdout_is_streamed,
    printf_shows_its_text_not_its_stream,
    display_show_and_update_in_place, kernel_lib_and_default_imports, redeclared_methods_and_classes_take_over)
