"""IJava's magics through a real client: %maven from a file: repository laid out here (an artifact
with one dependency), %jars, %classpath, %load, %%loadFromPOM, %time and %%time, clear errors for an
unknown artifact or magic, and completion and inspection in cells that start with a magic.

The kernel runs with user.home in a temporary directory whose .m2/settings.xml names the local
repository and mirrors Maven Central to an empty directory, so nothing goes to the network and the
real ~/.m2 is untouched.
"""
import os
import re
import shutil
import subprocess
import tempfile
import zipfile

from jupyter_client.kernelspec import KernelSpecManager

from harness import KERNEL_NAME, check, execute, expect_ok, request, run

WORK = tempfile.mkdtemp(prefix="kernel-magics-")
HOME = os.path.join(WORK, "home")
REPO = os.path.join(WORK, "repo")
LOCAL = os.path.join(WORK, "local-repository")
JAVAC = os.path.join(os.path.dirname(KernelSpecManager().get_kernel_spec(KERNEL_NAME).argv[0]), "javac")


def url(path):
    return "file://" + path


SOURCES = {
    "org/example/words/Words.java":
        "package org.example.words; public class Words { public static String hello() { return \"hello\"; } }",
    "org/example/greet/Greeter.java":
        "package org.example.greet; public class Greeter {"
        " public String greet(String who) { return org.example.words.Words.hello() + \", \" + who; } }",
    "org/example/extra/Extra.java":
        "package org.example.extra; public class Extra { public static int answer() { return 42; } }",
    "tools/Tool.java": "package tools; public class Tool { public static String name() { return \"tool\"; } }",
    "shapes/Square.java": "package shapes; public record Square(int side) { public int area() { return side * side; } }",
}


def compile_all():
    """Compiles SOURCES at once (one javac start) and returns the classes directory."""
    src = os.path.join(WORK, "src")
    for name, code in SOURCES.items():
        path = os.path.join(src, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(code)
    classes = os.path.join(WORK, "classes")
    subprocess.run([JAVAC, "-d", classes] + [os.path.join(src, name) for name in SOURCES], check=True, capture_output=True)
    return classes


def jar(path, classes, package):
    """Writes the classes of one package directory into a jar."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with zipfile.ZipFile(path, "w") as z:
        for name in os.listdir(os.path.join(classes, package)):
            z.write(os.path.join(classes, package, name), package + "/" + name)


def deploy(artifact, classes, package, dependencies=()):
    """Lays out org.example:ARTIFACT:1.0 in REPO, its POM naming (groupId, artifactId, version) dependencies."""
    folder = os.path.join(REPO, "org", "example", artifact, "1.0")
    jar(os.path.join(folder, artifact + "-1.0.jar"), classes, package)
    deps = "".join("<dependency><groupId>%s</groupId><artifactId>%s</artifactId><version>%s</version></dependency>" % d
                   for d in dependencies)
    with open(os.path.join(folder, artifact + "-1.0.pom"), "w") as f:
        f.write("<project><modelVersion>4.0.0</modelVersion><groupId>org.example</groupId><artifactId>%s</artifactId>"
                "<version>1.0</version><dependencies>%s</dependencies></project>" % (artifact, deps))


def lay_out():
    classes = compile_all()
    deploy("words", classes, "org/example/words")
    # greeter needs words, and gson, which the kernel has: gson must be left out, or the empty
    # stand-in for Maven Central would fail the resolution.
    deploy("greeter", classes, "org/example/greet", [("org.example", "words", "1.0"), ("com.google.code.gson", "gson", "2.8.9")])
    deploy("extra", classes, "org/example/extra")
    jar(os.path.join(WORK, "lib", "tool.jar"), classes, "tools")
    # %classpath gets a directory with shapes/Square.class only.
    shutil.copytree(os.path.join(classes, "shapes"), os.path.join(WORK, "dir", "shapes"))
    with open(os.path.join(WORK, "helpers.jsh"), "w") as f:
        f.write("int triple(int x) {\n  return 3 * x;\n}\nString loaded = \"yes\";\n")
    with open(os.path.join(WORK, "broken.jsh"), "w") as f:
        f.write("int fine = 1;\nString wrong = 42;\n")
    os.makedirs(os.path.join(WORK, "empty-central"))
    os.makedirs(os.path.join(HOME, ".m2"))
    with open(os.path.join(HOME, ".m2", "settings.xml"), "w") as f:
        f.write("<settings><localRepository>%s</localRepository><mirrors><mirror><id>central-stand-in</id>"
                "<mirrorOf>central</mirrorOf><url>%s</url></mirror></mirrors></settings>" % (LOCAL, url(os.path.join(WORK, "empty-central"))))


def maven_resolves_an_artifact_with_its_dependency(km, kc):
    result = expect_ok(kc, "%%mavenRepo testrepo %s\n%%maven org.example:greeter:1.0" % url(REPO))
    check(all(m["content"]["name"] == "stdout" for m in result.of_type("stream")), "no warnings: %r" % result.outputs)
    out = result.stdout()
    check("Added to the class path: greeter-1.0.jar, words-1.0.jar\n" in out, out)
    check(re.search(r"Already on the class path: com\.google\.code\.gson:gson:\S+ \(asked for 2\.8\.9\)", out), out)
    check(os.path.isfile(os.path.join(LOCAL, "org/example/greeter/1.0/greeter-1.0.jar")), "settings.xml's local repository")
    value = expect_ok(kc, 'new org.example.greet.Greeter().greet("class")').value()
    check(value["text/plain"] == "hello, class", value)
    again = expect_ok(kc, "%maven org.example:greeter:1.0").stdout()
    check(again == "Already on the class path: org.example:greeter:1.0\n", again)


def jars_and_classpath_add_a_jar_and_a_directory(km, kc):
    # The magic runs before the code below it is compiled.
    result = expect_ok(kc, "%%jars %s/lib/*.jar\ntools.Tool.name()" % WORK)
    check(result.value()["text/plain"] == "tool", result.outputs)
    check(result.stdout() == "Added to the class path: %s/lib/tool.jar\n" % WORK, result.stdout())
    check(expect_ok(kc, "%%jars %s/lib/tool.jar" % WORK).stdout().startswith("Already on the class path"), "not twice")
    expect_ok(kc, "%%classpath %s/dir" % WORK)
    check(expect_ok(kc, "new shapes.Square(3).area()").value()["text/plain"] == "9", "class from the directory")


def load_runs_a_file_of_snippets(km, kc):
    expect_ok(kc, "%%load %s/helpers" % WORK)
    check(expect_ok(kc, "triple(14) + loaded").value()["text/plain"] == "42yes", "loaded method and variable")
    result = execute(kc, "%%load %s/broken.jsh" % WORK)
    check(result.status == "error", result.content)
    check(result.error()[2].splitlines()[0].endswith("broken.jsh, line 2: error: " + result.error()[1]), result.error()[2])


def load_from_pom_reads_a_fragment(km, kc):
    result = expect_ok(kc, "%%%%loadFromPOM\n"
                           "<properties><extra.version>1.0</extra.version></properties>\n"
                           "<repository><id>pomrepo</id><url>%s</url></repository>\n"
                           "<dependency>\n"
                           "  <groupId>org.example</groupId><artifactId>extra</artifactId><version>${extra.version}</version>\n"
                           "</dependency>" % url(REPO))
    check(result.stdout() == "Added to the class path: extra-1.0.jar\n", result.stdout())
    check(expect_ok(kc, "org.example.extra.Extra.answer()").value()["text/plain"] == "42", "class from the POM's dependency")


def time_prints_the_times_and_the_value(km, kc):
    result = expect_ok(kc, "%%time\nThread.sleep(20);\n6 * 7")
    check(re.fullmatch(r"CPU times: user \S+ \S+, sys \S+ \S+, total \S+ \S+\nWall time: \S+ m?s\n", result.stdout()), result.stdout())
    check(result.value()["text/plain"] == "42", result.outputs)
    check([m["msg_type"] for m in result.outputs] == ["stream", "execute_result"], "times, then the value")
    line = expect_ok(kc, "int base = 40;\n%time base + 2")
    check(line.value()["text/plain"] == "42" and "Wall time: " in line.stdout(), line.outputs)


def unknown_artifact_and_unknown_magic_are_clear_errors(km, kc):
    result = execute(kc, "%maven org.example:nope:1.0")
    check(result.status == "error", result.content)
    _, evalue, shown = result.error()
    check(evalue.startswith("%maven: could not resolve org.example:nope:jar:1.0"), evalue)
    check("Could not find artifact org.example:nope:jar:1.0 in testrepo" in evalue, evalue)
    check(re.match(r"cell \[\d+\], line 1: %maven: could not resolve", shown), shown)
    result = execute(kc, "int before = 1;\n%nosuch x")
    check(result.status == "error" and "unknown magic. Line magics: %maven" in result.error()[1], result.content)
    check(re.match(r"cell \[\d+\], line 2: %nosuch:", result.error()[2]), result.error()[2])
    result = execute(kc, "%maven not-coordinates")
    check("Bad artifact coordinates not-coordinates" in result.error()[1], result.error())
    check(km.is_alive() and expect_ok(kc, "before + 1").value()["text/plain"] == "2", "the kernel lives")


def completion_and_inspection_after_a_magic(km, kc):
    code = "%maven org.example:greeter:1.0\nStr"
    reply = request(kc, lambda c: c.complete(code, len(code)))
    check("String" in reply["matches"] and reply["cursor_start"] == len(code) - 3, reply)
    reply = request(kc, lambda c: c.complete("%mav", 4))
    check(reply["matches"] == ["maven", "mavenRepo"] and reply["cursor_start"] == 1, reply)
    code = "%%time\nMath.max("
    reply = request(kc, lambda c: c.inspect(code, len(code)))
    check(reply["found"] and "Math.max(int a, int b)" in reply["data"]["text/plain"], reply)
    check(request(kc, lambda c: c.is_complete("%%time\nfor (int i = 0; i < 3; i++) {"))["status"] == "incomplete", "is_complete")


try:
    lay_out()
    env = dict(os.environ)
    # The java launcher reads JDK_JAVA_OPTIONS; the kernel's Maven settings follow user.home.
    env["JDK_JAVA_OPTIONS"] = "-Duser.home=" + HOME
    run(maven_resolves_an_artifact_with_its_dependency, jars_and_classpath_add_a_jar_and_a_directory,
        load_runs_a_file_of_snippets, load_from_pom_reads_a_fragment, time_prints_the_times_and_the_value,
        unknown_artifact_and_unknown_magic_are_clear_errors, completion_and_inspection_after_a_magic, env=env)
finally:
    shutil.rmtree(WORK, ignore_errors=True)
