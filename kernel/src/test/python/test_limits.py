"""System.exit, heap exhaustion, a huge native allocation and deep recursion fail their cell with
a clear error; the kernel lives on with its variables."""
from harness import check, execute, expect_ok, run


def check_alive_with_variables(km, kc):
    check(km.is_alive(), "the kernel died")
    check(expect_ok(kc, "kept").value()["text/plain"] == "42", "a variable from before")


def exit_fails_the_cell_and_the_kernel_lives(km, kc):
    expect_ok(kc, "int kept = 42;")
    for code, call in (("System.exit(3)", "System.exit(3)"), ("Runtime.getRuntime().exit(4)", "Runtime.exit(4)"),
                       ("Runtime.getRuntime().halt(5)", "Runtime.halt(5)")):
        result = execute(kc, 'System.out.println("before");\n%s;\nSystem.out.println("after");' % code)
        check(result.status == "error", result.content)
        _, evalue, shown = result.error()
        check(evalue.startswith(call + " was called: a notebook cell cannot end the kernel."), evalue)
        check("kernel and its variables are still there" in evalue, evalue)
        check(shown.splitlines()[1].strip().startswith("at cell ["), "points at the cell: " + shown)
        check("ExitGuard" not in shown and "java.lang.Runtime" not in shown, shown)
        check(result.stdout() == "before\n", "the rest of the cell did not run: %r" % result.stdout())
        check_alive_with_variables(km, kc)


def a_caught_exit_still_stops_the_cell(km, kc):
    result = execute(kc, 'try { System.exit(1); } catch (SecurityException e) { }\n'
                         'System.out.println("after");')
    check(result.status == "error" and result.stdout() == "", result.outputs)
    check(result.error()[1].startswith("System.exit(1) was called"), result.error()[1])
    check_alive_with_variables(km, kc)


def the_security_manager_warning_stays_out_of_cells(km, kc):
    result = expect_ok(kc, 'System.out.println("hello");')
    check(result.stdout() == "hello\n" and len(result.outputs) == 1, result.outputs)
    check("WARNING" not in str(result.outputs), result.outputs)


def heap_exhaustion_is_an_error(km, kc):
    # Larger than the kernel's 4 GB heap: the JVM gives up at once instead of filling it.
    result = execute(kc, "long[] huge = new long[1_000_000_000];")
    check(result.status == "error", result.content)
    check(result.error()[1] == "java.lang.OutOfMemoryError: Java heap space", result.error()[1])
    check_alive_with_variables(km, kc)


def a_huge_native_allocation_is_an_error(km, kc):
    # 2^62 bytes: more than any address space, so no machine can grant it.
    result = execute(kc, "try (var m = ai.djl.ndarray.NDManager.newBaseManager()) {\n"
                         "  m.create(new ai.djl.ndarray.types.Shape(1L << 60));\n"
                         "}")
    check(result.status == "error", result.content)
    evalue = result.error()[1]
    check(evalue.startswith("ai.djl.engine.EngineException") and "4611686018427387904 bytes" in evalue, evalue)
    check_alive_with_variables(km, kc)


def deep_recursion_is_an_error_with_a_short_trace(km, kc):
    expect_ok(kc, "int depth(int n) { return depth(n + 1) + 1; }")
    result = execute(kc, "depth(0)")
    check(result.status == "error", result.content)
    _, evalue, shown = result.error()
    check(evalue == "java.lang.StackOverflowError", evalue)
    lines = shown.splitlines()
    check(len(lines) <= 5, "the repeats are collapsed: %d lines" % len(lines))
    check(lines[1].strip().startswith("at depth(cell [") and "previous line repeated" in lines[2], shown)
    check_alive_with_variables(km, kc)


run(exit_fails_the_cell_and_the_kernel_lives, a_caught_exit_still_stops_the_cell, the_security_manager_warning_stays_out_of_cells,
    heap_exhaustion_is_an_error, a_huge_native_allocation_is_an_error, deep_recursion_is_an_error_with_a_short_trace)
