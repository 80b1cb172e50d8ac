"""A compile error or an exception gives a clean error, and the next cell still runs."""
from harness import check, execute, expect_ok, run


def compile_error_shows_message_line_and_caret(km, kc):
    result = execute(kc, 'int ok = 1;\nString s = 42;\n')
    check(result.status == "error" and result.content["ename"] == "CompilationException", result.content)
    ename, evalue, shown = result.error()
    check(evalue == "incompatible types: int cannot be converted to java.lang.String", evalue)
    lines = shown.splitlines()
    check(lines[0].startswith("cell [") and lines[0].endswith("line 2: error: " + evalue), shown)
    check(lines[1:] == ["String s = 42;", "           ^~"], shown)
    check(result.content["traceback"] == [], "the reply carries no kernel stack: %r" % result.content["traceback"])
    check(expect_ok(kc, "ok + 1").value()["text/plain"] == "2", "the cell after a compile error runs")


def exception_trace_is_cut_to_cell_code(km, kc):
    cell = ("// helper\n"
            "int ratio(int a, int b) {\n"
            "  return a / b;\n"
            "}\n"
            "ratio(1, 0)")
    result = execute(kc, cell)
    check(result.status == "error" and result.content["ename"] == "EvaluationException", result.content)
    ename, evalue, shown = result.error()
    check(evalue == "java.lang.ArithmeticException: / by zero", evalue)
    lines = shown.splitlines()
    check(lines[0] == evalue, shown)
    check(lines[1].strip().startswith("at ratio(cell [") and lines[1].endswith("line 3)"), shown)
    check(lines[2].strip().startswith("at cell [") and lines[2].endswith("line 5"), shown)
    check(len(lines) == 3, "nothing below the cell's frames: " + shown)
    for internal in ("jdk.jshell", "dev.edgepopup.kernel", "java.lang.reflect", "jdk.internal"):
        check(internal not in shown, internal + " in " + shown)
    check(expect_ok(kc, "1 + 1").value()["text/plain"] == "2", "the cell after an exception runs")


def library_frames_and_causes_stay(km, kc):
    result = execute(kc, 'Integer.parseInt("x")')
    _, evalue, shown = result.error()
    check(evalue.startswith("java.lang.NumberFormatException"), evalue)
    check("at java.base/java.lang.Integer.parseInt" in shown, shown)
    result = execute(kc, 'throw new IllegalStateException("outer", new java.io.IOException("disk"))')
    _, _, shown = result.error()
    check("Caused by: java.io.IOException: disk" in shown, shown)


def output_before_the_error_is_kept(km, kc):
    result = execute(kc, 'System.out.println("before");\nObject o = null;\no.hashCode();')
    check(result.stdout() == "before\n", result.outputs)
    check(result.error()[1].startswith("java.lang.NullPointerException"), result.error())


run(compile_error_shows_message_line_and_caret, exception_trace_is_cut_to_cell_code, library_frames_and_causes_stay,
    output_before_the_error_is_kept)
