package dev.edgepopup.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.apache.maven.model.Model;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The class-path magics against a Maven repository and files laid out here; no network. */
class ClassPathMagicsTest {
    @TempDir Path dir;
    private final List<String> added = new ArrayList<>();
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private PrintStream stdout;
    private Path gson;
    private Path repo;
    private Path local;
    private ClassPathMagics magics;

    @BeforeEach
    void layOut() throws Exception {
        stdout = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        gson = Path.of(Gson.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        repo = dir.resolve("repo");
        local = dir.resolve("local");
        deploy("words", List.of());
        deploy("greeter", List.of("org.example:words:1.0", "com.google.code.gson:gson:2.8.9"));
        Files.createDirectories(dir.resolve("empty-central"));
        magics = magics(settings(false));
    }

    @AfterEach
    void restore() {
        System.setOut(stdout);
        magics.close();
    }

    private ClassPathMagics magics(Path settings) {
        // The kernel's own class path, as far as these tests go: gson.
        return new ClassPathMagics(added::add, List.of(gson), settings);
    }

    private Path settings(boolean offline) throws IOException {
        Path settings = dir.resolve(offline ? "offline.xml" : "settings.xml");
        Files.writeString(
                settings,
                "<settings><localRepository>"
                        + local
                        + "</localRepository><offline>"
                        + offline
                        + "</offline>"
                        + "<mirrors><mirror><id>stand-in</id><mirrorOf>central</mirrorOf><url>"
                        + dir.resolve("empty-central").toUri()
                        + "</url></mirror></mirrors></settings>");
        return settings;
    }

    private void deploy(String artifact, List<String> dependencies) throws IOException {
        Path folder = Files.createDirectories(repo.resolve("org/example/" + artifact + "/1.0"));
        jar(folder.resolve(artifact + "-1.0.jar"), "org.example", artifact);
        StringBuilder deps = new StringBuilder();
        for (String dependency : dependencies) {
            String[] gav = dependency.split(":");
            deps.append("<dependency><groupId>")
                    .append(gav[0])
                    .append("</groupId><artifactId>")
                    .append(gav[1])
                    .append("</artifactId><version>")
                    .append(gav[2])
                    .append("</version></dependency>");
        }
        Files.writeString(
                folder.resolve(artifact + "-1.0.pom"),
                "<project><modelVersion>4.0.0</modelVersion><groupId>org.example</groupId>"
                        + "<artifactId>"
                        + artifact
                        + "</artifactId><version>1.0</version><dependencies>"
                        + deps
                        + "</dependencies></project>");
    }

    /** A jar holding only the pom.properties that names it. */
    private static void jar(Path file, String group, String artifact) throws IOException {
        try (OutputStream out = Files.newOutputStream(file);
                JarOutputStream jar = new JarOutputStream(out)) {
            jar.putNextEntry(
                    new JarEntry("META-INF/maven/" + group + "/" + artifact + "/pom.properties"));
            jar.write(
                    ("groupId=" + group + "\nartifactId=" + artifact + "\nversion=1.0\n")
                            .getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        }
    }

    private String printed() {
        String text = printed.toString(StandardCharsets.UTF_8);
        printed.reset();
        return text;
    }

    @Test
    void mavenResolvesTheDependencyAndLeavesOutWhatTheKernelHas() throws Exception {
        magics.mavenRepo(List.of("testrepo", repo.toUri().toString()));
        magics.maven(List.of("org.example:greeter:1.0"));
        assertEquals(
                List.of(
                        local.resolve("org/example/greeter/1.0/greeter-1.0.jar").toString(),
                        local.resolve("org/example/words/1.0/words-1.0.jar").toString()),
                added);
        String gsonVersion = gson.getFileName().toString().replaceAll("gson-(.*)\\.jar", "$1");
        assertEquals(
                "Added to the class path: greeter-1.0.jar, words-1.0.jar\n"
                        + "Already on the class path: com.google.code.gson:gson:"
                        + gsonVersion
                        + " (asked for 2.8.9)\n",
                printed());
        magics.maven(List.of("org.example:words:1.0"));
        assertEquals("Already on the class path: org.example:words:1.0\n", printed());
        assertEquals(2, added.size(), "nothing added twice");
    }

    @Test
    void offlineWhatTheLocalRepositoryHoldsResolvesAndTheRestIsExplained() throws Exception {
        magics.mavenRepo(List.of("testrepo", repo.toUri().toString()));
        magics.maven(List.of("org.example:words:1.0"));
        try (ClassPathMagics offline = magics(settings(true))) {
            offline.mavenRepo(List.of("testrepo", repo.toUri().toString()));
            offline.maven(List.of("org.example:words:1.0"));
            MagicException missing =
                    assertThrows(
                            MagicException.class,
                            () -> offline.maven(List.of("org.example:greeter:1.0")));
            assertTrue(
                    missing.getMessage()
                            .startsWith("could not resolve org.example:greeter:jar:1.0\n"),
                    missing.getMessage());
            assertTrue(missing.getMessage().contains("offline"), missing.getMessage());
            assertTrue(
                    missing.getMessage()
                            .endsWith(
                                    "Without a network only what the local repository holds can be"
                                            + " used."),
                    missing.getMessage());
        }
        assertEquals(
                2,
                added.size(),
                "words resolved twice from the cache, by two kernels' worth of magics");
    }

    @Test
    void anUnknownArtifactSaysWhereItWasLookedFor() throws Exception {
        magics.mavenRepo(List.of("testrepo", repo.toUri().toString()));
        MagicException e =
                assertThrows(
                        MagicException.class, () -> magics.maven(List.of("org.example:nope:1.0")));
        assertTrue(
                e.getMessage()
                        .contains("Could not find artifact org.example:nope:jar:1.0 in testrepo"),
                e.getMessage());
        assertTrue(
                e.getMessage().contains("Looked in the local repository " + local), e.getMessage());
        assertThrows(MagicException.class, () -> magics.maven(List.of("not-coordinates")));
        assertThrows(
                MagicException.class, () -> magics.mavenRepo(List.of("id", "ftp://example.org")));
        assertEquals(List.of(), added);
    }

    @Test
    void aPomFragmentWithPropertiesAndLooseElements() throws Exception {
        String fragment =
                "<properties><v>1.0</v></properties>\n"
                        + "<repositories><repository><id>r</id><url>"
                        + repo.toUri()
                        + "</url></repository></repositories>\n"
                        + "<dependency><groupId>org.example</groupId><artifactId>words</artifactId>"
                        + "<version>${v}</version></dependency>\n"
                        + "<dependency><groupId>org.example</groupId>"
                        + "<artifactId>greeter</artifactId><version>1.0</version>"
                        + "<scope>test</scope></dependency>";
        Model model = ClassPathMagics.readPom(fragment);
        assertEquals(2, model.getDependencies().size());
        assertEquals("r", model.getRepositories().get(0).getId());
        magics.loadFromPom(List.of(), fragment);
        assertEquals(
                "Added to the class path: words-1.0.jar\n",
                printed(),
                "the test-scoped greeter is left out");
        MagicException none =
                assertThrows(
                        MagicException.class,
                        () -> magics.loadFromPom(List.of("runtime"), fragment));
        assertEquals("the POM has no <dependency> in the scopes runtime", none.getMessage());
        assertThrows(MagicException.class, () -> ClassPathMagics.readPom("<dependency><groupId>"));
    }

    @Test
    void jarsAndClasspathTakeGlobsAndAddNothingTwice() throws Exception {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        jar(lib.resolve("a.jar"), "org.example", "a");
        jar(lib.resolve("b.jar"), "org.example", "b");
        Files.copy(gson, lib.resolve("gson-copy.jar"));
        magics.jars(List.of(lib + "/*.jar"));
        assertEquals(
                List.of(lib.resolve("a.jar").toString(), lib.resolve("b.jar").toString()), added);
        assertEquals(
                "Added to the class path: "
                        + lib.resolve("a.jar")
                        + ", "
                        + lib.resolve("b.jar")
                        + "\n"
                        + "Already on the class path: "
                        + lib.resolve("gson-copy.jar")
                        + "\n",
                printed());
        magics.jars(List.of(lib.toString()));
        assertEquals(2, added.size(), "a directory adds its jars, but not twice");
        Path classes = Files.createDirectories(dir.resolve("classes/pkg"));
        magics.classpath(List.of(dir + "/class?s"));
        assertEquals(classes.getParent().toString(), added.get(2));
        MagicException none =
                assertThrows(
                        MagicException.class, () -> magics.jars(List.of(dir + "/nothing/*.jar")));
        assertEquals("no jar matches " + dir + "/nothing/*.jar", none.getMessage());
    }

    @Test
    void globsReachIntoSubdirectories() throws Exception {
        Files.createDirectories(dir.resolve("a/b/c"));
        Files.writeString(dir.resolve("a/b/c/x.jar"), "");
        Files.writeString(dir.resolve("a/y.jar"), "");
        assertEquals(
                List.of(dir.resolve("a/b/c/x.jar")), ClassPathMagics.glob(dir + "/a/**/x.jar"));
        assertEquals(List.of(dir.resolve("a/y.jar")), ClassPathMagics.glob(dir + "/a/*.jar"));
        assertEquals(List.of(dir.resolve("a/y.jar")), ClassPathMagics.glob(dir + "/a/y.jar"));
    }
}
