"""complete_request through JShell's completion; is_complete_request and inspect_request."""
from harness import check, expect_ok, request, run


def complete(kc, code, cursor=None):
    cursor = len(code) if cursor is None else cursor
    return request(kc, lambda c: c.complete(code, cursor))


def completes_java_types(km, kc):
    reply = complete(kc, "Str")
    check(reply["status"] == "ok" and "String" in reply["matches"], reply)
    check((reply["cursor_start"], reply["cursor_end"]) == (0, 3), reply)


def completes_kernel_lib_classes_and_members(km, kc):
    check("ImageSet" in complete(kc, "ImageS")["matches"], "ImageSet")
    reply = complete(kc, "Display.sh")
    check("show(" in reply["matches"], reply)
    check(reply["cursor_start"] == len("Display."), reply)


def completes_inside_a_multi_snippet_cell(km, kc):
    # JShell completes against what has run, so text comes from an earlier cell.
    expect_ok(kc, 'String text = "x";')
    code = "int a = 1;\ntext.toUpper\nint b = 2;"
    cursor = code.index("toUpper") + len("toUpper")
    reply = complete(kc, code, cursor)
    check("toUpperCase(" in reply["matches"], reply)
    check((reply["cursor_start"], reply["cursor_end"]) == (code.index("toUpper"), cursor), reply)


def is_complete_knows_unfinished_code(km, kc):
    check(request(kc, lambda c: c.is_complete("int x = 1;"))["status"] == "complete", "complete")
    reply = request(kc, lambda c: c.is_complete("for (int i = 0; i < 3; i++) {"))
    check(reply["status"] == "incomplete", reply)


def inspect_shows_a_signature(km, kc):
    reply = request(kc, lambda c: c.inspect("Math.max(", 9))
    check(reply["found"] and "Math.max(int a, int b)" in reply["data"]["text/plain"], reply)


run(completes_java_types, completes_kernel_lib_classes_and_members, completes_inside_a_multi_snippet_cell,
    is_complete_knows_unfinished_code, inspect_shows_a_signature)
