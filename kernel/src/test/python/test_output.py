"""Any amount of output reaches a client whole up to the per-cell limit, with the idle status, in
few stream messages, in order, and the kernel's memory stays bounded."""
import re

from harness import check, execute, expect_ok, rss_mib, run

LIMIT = 1_000_000  # CellOutput.DEFAULT_LIMIT
END = re.compile(r"\[\.\.\. ([\d,]+) characters \(([\d,]+) lines?\) of output left out \.\.\.\]\n")


def split_held_back(result):
    """Returns (shown head, limit notice, end notice match, shown end) of a cell beyond the limit."""
    streams = result.of_type("stream")
    names = [m["content"]["name"] for m in streams]
    check(names.count("stderr") == 2, "two notices on stderr: %r" % names)
    first = names.index("stderr")
    head = "".join(m["content"]["text"] for m in streams[:first])
    notice = streams[first]["content"]["text"]
    end = END.fullmatch(streams[first + 1]["content"]["text"])
    check(end is not None, streams[first + 1]["content"]["text"])
    tail = "".join(m["content"]["text"] for m in streams[first + 2:])
    check(all(n == "stdout" for n in names[first + 2:]) and all(n == "stdout" for n in names[:first]), names)
    return head, notice, end, tail


def check_held_back(result, expected):
    head, notice, end, tail = split_held_back(result)
    check(head == expected[:LIMIT], "the first %d characters, whole (got %d)" % (LIMIT, len(head)))
    check("limit of 1,000,000 characters" in notice, notice)
    check(0 < len(tail) <= LIMIT // 10 and expected.endswith(tail), "the end (%d characters)" % len(tail))
    left_out = expected[LIMIT:len(expected) - len(tail)]
    check(int(end.group(1).replace(",", "")) == len(left_out), "left out: %s, expected %d" % (end.group(1), len(left_out)))
    check(int(end.group(2).replace(",", "")) == left_out.count("\n"), "lines left out: " + end.group(2))


def a_million_lines_arrive_with_the_idle_status(km, kc):
    pid = km.provisioner.process.pid
    expect_ok(kc, "1 + 1")
    before = rss_mib(pid)
    # execute() reads IOPub as a notebook client does and fails unless the idle status arrives.
    result = expect_ok(kc, "for (int i = 0; i < 1_000_000; i++) System.out.println(i);", timeout=120)
    expected = "".join("%d\n" % i for i in range(1_000_000))
    streams = result.of_type("stream")
    check(len(streams) < 1000, "%d stream messages for a million lines" % len(streams))
    check_held_back(result, expected)
    # One 50 MB string, printed at once.
    result = expect_ok(kc, 'System.out.print("x".repeat(50_000_000));', timeout=120)
    check_held_back(result, "x" * 50_000_000)
    after = rss_mib(pid)
    print("%d stream messages for 1,000,000 lines; RSS %d -> %d MiB" % (len(streams), before, after))
    # Before, a million messages of JSON and their copies took the kernel from 200 MiB to 1.9 GiB.
    check(after - before < 400, "RSS grew from %d to %d MiB" % (before, after))
    check(expect_ok(kc, '"still here"').value()["text/plain"] == "still here", "the next cell")


def output_under_the_limit_is_whole(km, kc):
    result = expect_ok(kc, 'for (int i = 0; i < 20_000; i++) System.out.println("line " + i);', timeout=60)
    check(result.stdout() == "".join("line %d\n" % i for i in range(20_000)), "20,000 lines whole")
    check(len(result.of_type("stream")) < 100, "%d messages" % len(result.of_type("stream")))


def stdout_stderr_and_displays_keep_their_order(km, kc):
    result = expect_ok(kc, 'System.out.println("one");\n'
                           'System.err.println("two");\n'
                           'Display.show("three");\n'
                           'System.out.println("four");\n'
                           'System.err.print("five");')
    seen = [(m["msg_type"], m["content"].get("name"), m["content"]["text"] if "text" in m["content"]
             else m["content"]["data"]["text/plain"]) for m in result.outputs]
    check(seen == [("stream", "stdout", "one\n"), ("stream", "stderr", "two\n"), ("display_data", None, "three"),
                   ("stream", "stdout", "four\n"), ("stream", "stderr", "five")], seen)


def the_value_comes_after_the_output(km, kc):
    result = expect_ok(kc, 'System.out.println("printed");\n42')
    check([m["msg_type"] for m in result.outputs] == ["stream", "execute_result"], result.outputs)


run(a_million_lines_arrive_with_the_idle_status, output_under_the_limit_is_whole,
    stdout_stderr_and_displays_keep_their_order, the_value_comes_after_the_output)
