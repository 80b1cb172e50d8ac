package dev.edgepopup.kernel;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.apache.maven.model.Model;
import org.apache.maven.model.io.xpp3.MavenXpp3Reader;
import org.codehaus.plexus.util.xml.pull.XmlPullParserException;
import org.eclipse.aether.artifact.Artifact;
import org.eclipse.aether.artifact.ArtifactProperties;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.graph.Exclusion;
import org.eclipse.aether.util.artifact.JavaScopes;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * IJava's class-path magics: {@code %jars}, {@code %classpath}, {@code %maven} (also {@code
 * %addMavenDependency}, {@code %addMavenDependencies}), {@code %mavenRepo} (also {@code
 * %addMavenRepo}) and {@code %loadFromPOM} / {@code %%loadFromPOM}.
 *
 * <p>It knows the Maven coordinates of every jar on the class path (from their {@code
 * pom.properties}), so a jar the kernel already has is not added twice, not even in another
 * version: the kernel's own would win anyway, since its class loader is asked first.
 */
final class ClassPathMagics implements AutoCloseable {
    /** The scopes {@code %loadFromPOM} takes when none are named, as in IJava. */
    static final List<String> DEFAULT_SCOPES =
            List.of(JavaScopes.COMPILE, JavaScopes.RUNTIME, JavaScopes.SYSTEM, "import");

    private static final Pattern PROPERTY = Pattern.compile("\\$\\{([^}]+)}");

    /** Adds a jar or directory to JShell's class path. */
    @FunctionalInterface
    interface Shell {
        /**
         * Adds a path.
         *
         * @param path a jar or class directory
         */
        void addToClasspath(String path);
    }

    private final Shell shell;
    private final Path userSettings;
    private final List<Path> kernelClassPath;
    private final Set<Path> entries = new HashSet<>();

    /** groupId:artifactId to version of everything on the class path. */
    private final Map<String, String> versions = new HashMap<>();

    private boolean scanned;
    private MavenResolver maven;

    /**
     * Creates the magics.
     *
     * @param shell where paths are added
     * @param kernelClassPath the kernel's own class path
     * @param userSettings Maven's user settings file, {@code ~/.m2/settings.xml}
     */
    ClassPathMagics(Shell shell, List<Path> kernelClassPath, Path userSettings) {
        this.shell = shell;
        this.kernelClassPath = List.copyOf(kernelClassPath);
        this.userSettings = userSettings;
    }

    /**
     * {@code %jars GLOB...}: adds jars; a directory matched adds the jars in it.
     *
     * @param globs paths with {@code *}, {@code ?}, {@code **}
     * @throws MagicException if a glob matches no jar
     */
    void jars(List<String> globs) throws MagicException {
        List<Path> jars = new ArrayList<>();
        for (String glob : usage(globs, "%jars PATH_OR_GLOB...")) {
            List<Path> found = new ArrayList<>();
            for (Path path : glob(glob)) {
                if (Files.isDirectory(path)) {
                    found.addAll(
                            list(path).stream()
                                    .filter(p -> p.getFileName().toString().endsWith(".jar"))
                                    .toList());
                } else {
                    found.add(path);
                }
            }
            if (found.isEmpty()) {
                throw new MagicException("no jar matches " + glob);
            }
            jars.addAll(found);
        }
        addPaths(jars);
    }

    /**
     * {@code %classpath GLOB...}: adds jars and class directories.
     *
     * @param globs paths with {@code *}, {@code ?}, {@code **}
     * @throws MagicException if a glob matches nothing
     */
    void classpath(List<String> globs) throws MagicException {
        List<Path> paths = new ArrayList<>();
        for (String glob : usage(globs, "%classpath PATH_OR_GLOB...")) {
            List<Path> found = glob(glob);
            if (found.isEmpty()) {
                throw new MagicException("nothing matches " + glob);
            }
            paths.addAll(found);
        }
        addPaths(paths);
    }

    /**
     * {@code %maven COORDINATES...}: resolves artifacts with their dependencies and adds them.
     *
     * @param coordinates {@code groupId:artifactId[:extension[:classifier]]:version}
     * @throws MagicException if coordinates are malformed or an artifact cannot be resolved
     */
    void maven(List<String> coordinates) throws MagicException {
        List<Dependency> roots = new ArrayList<>();
        for (String coordinate :
                usage(
                        coordinates,
                        "%maven groupId:artifactId[:extension[:classifier]]:version...")) {
            try {
                roots.add(new Dependency(new DefaultArtifact(coordinate), JavaScopes.COMPILE));
            } catch (IllegalArgumentException e) {
                throw new MagicException(e.getMessage());
            }
        }
        MavenResolver resolver = resolver();
        resolveAndAdd(roots, List.of(), resolver.repositories());
    }

    /**
     * {@code %mavenRepo ID URL}: adds a repository that {@code %maven} searches.
     *
     * @param args the id and the URL
     * @throws MagicException if there are not two, or the URL is not one
     */
    void mavenRepo(List<String> args) throws MagicException {
        if (args.size() != 2) {
            throw new MagicException(
                    "usage: %mavenRepo ID URL, e.g. %mavenRepo jitpack https://jitpack.io");
        }
        resolver().addRepository(args.get(0), args.get(1));
    }

    /**
     * {@code %loadFromPOM FILE [SCOPE...]} or {@code %%loadFromPOM [SCOPE...]} with a POM or a POM
     * fragment as body: resolves its dependencies from its repositories and Maven Central (not
     * those of {@code %mavenRepo}, as in IJava).
     *
     * @param args the scopes, after the file for the line magic
     * @param body the cell's body, or null for the line magic
     * @throws MagicException if the POM cannot be read or its dependencies resolved
     */
    void loadFromPom(List<String> args, String body) throws MagicException {
        List<String> scopes = args;
        String xml = body;
        if (body == null) {
            usage(args, "%loadFromPOM POM_FILE [SCOPE...]");
            Path file = path(args.get(0));
            try {
                xml = Files.readString(file);
            } catch (IOException e) {
                throw new MagicException("cannot read " + file + ": " + e);
            }
            scopes = args.subList(1, args.size());
        }
        if (scopes.isEmpty()) {
            scopes = DEFAULT_SCOPES;
        }
        Model model = readPom(xml);
        Properties properties = new Properties();
        properties.putAll(System.getProperties());
        properties.putAll(model.getProperties());
        List<Dependency> managed = new ArrayList<>();
        if (model.getDependencyManagement() != null) {
            for (org.apache.maven.model.Dependency dependency :
                    model.getDependencyManagement().getDependencies()) {
                managed.add(dependency(dependency, properties, List.of()));
            }
        }
        List<Dependency> roots = new ArrayList<>();
        for (org.apache.maven.model.Dependency dependency : model.getDependencies()) {
            if (scopes.contains(
                    dependency.getScope() == null ? JavaScopes.COMPILE : dependency.getScope())) {
                roots.add(dependency(dependency, properties, managed));
            }
        }
        if (roots.isEmpty()) {
            throw new MagicException(
                    "the POM has no <dependency> in the scopes " + String.join(", ", scopes));
        }
        MavenResolver resolver = resolver();
        resolveAndAdd(roots, managed, resolver.repositories(model));
    }

    @Override
    public void close() {
        if (maven != null) {
            maven.close();
        }
    }

    private MavenResolver resolver() throws MagicException {
        if (maven == null) {
            maven = new MavenResolver(userSettings);
        }
        return maven;
    }

    private void resolveAndAdd(
            List<Dependency> roots,
            List<Dependency> managed,
            List<org.eclipse.aether.repository.RemoteRepository> repositories)
            throws MagicException {
        scan();
        List<String> kept = new ArrayList<>();
        List<Dependency> wanted = new ArrayList<>();
        for (Dependency root : roots) {
            if (versions.containsKey(key(root.getArtifact()))) {
                kept.add(describeKept(root.getArtifact()));
            } else {
                wanted.add(root);
            }
        }
        List<String> added = new ArrayList<>();
        if (!wanted.isEmpty()) {
            MavenResolver.Resolution resolution =
                    maven.resolve(wanted, managed, repositories, versions.keySet());
            resolution
                    .kept()
                    .forEach(dependency -> kept.add(describeKept(dependency.getArtifact())));
            for (Artifact artifact : resolution.artifacts()) {
                if (versions.putIfAbsent(key(artifact), artifact.getBaseVersion()) == null) {
                    Path file = artifact.getFile().toPath().toAbsolutePath().normalize();
                    entries.add(real(file));
                    shell.addToClasspath(file.toString());
                    added.add(file.getFileName().toString());
                }
            }
        }
        report(added, kept);
    }

    private void addPaths(List<Path> paths) throws MagicException {
        scan();
        List<String> added = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        for (Path path : paths) {
            Path real = real(path);
            Map<String, String> coordinates =
                    Files.isRegularFile(real) ? coordinates(real) : Map.of();
            boolean known =
                    !coordinates.isEmpty() && versions.keySet().containsAll(coordinates.keySet());
            if (entries.contains(real) || known) {
                kept.add(path.toString());
            } else {
                entries.add(real);
                coordinates.forEach(versions::putIfAbsent);
                shell.addToClasspath(real.toString());
                added.add(path.toString());
            }
        }
        report(added, kept);
    }

    private static void report(List<String> added, List<String> kept) {
        if (!added.isEmpty()) {
            System.out.println("Added to the class path: " + String.join(", ", added));
        }
        if (!kept.isEmpty()) {
            System.out.println("Already on the class path: " + String.join(", ", kept));
        }
    }

    private String describeKept(Artifact asked) {
        String key = key(asked);
        String version = versions.get(key);
        return version.equals(asked.getBaseVersion())
                ? key + ":" + version
                : key + ":" + version + " (asked for " + asked.getBaseVersion() + ")";
    }

    /** Reads the coordinates of the kernel's own jars, once. */
    private void scan() {
        if (scanned) {
            return;
        }
        scanned = true;
        for (Path entry : kernelClassPath) {
            if (Files.exists(entry)) {
                Path real = real(entry);
                entries.add(real);
                if (Files.isRegularFile(real)) {
                    coordinates(real).forEach(versions::putIfAbsent);
                }
            }
        }
    }

    /**
     * The groupId:artifactId to version of each {@code META-INF/maven/.../pom.properties} in a jar.
     */
    private static Map<String, String> coordinates(Path jar) {
        Map<String, String> found = new HashMap<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            file.stream()
                    .filter(
                            e ->
                                    e.getName().startsWith("META-INF/maven/")
                                            && e.getName().endsWith("/pom.properties"))
                    .forEach(
                            e -> {
                                Properties properties = new Properties();
                                try (var in = file.getInputStream(e)) {
                                    properties.load(in);
                                } catch (IOException ignored) {
                                    return;
                                }
                                String group = properties.getProperty("groupId");
                                String artifact = properties.getProperty("artifactId");
                                if (group != null && artifact != null) {
                                    found.put(
                                            group + ":" + artifact,
                                            properties.getProperty("version", "?"));
                                }
                            });
        } catch (IOException e) {
            // Not a readable jar: nothing known about it.
        }
        return found;
    }

    private static String key(Artifact artifact) {
        return artifact.getGroupId() + ":" + artifact.getArtifactId();
    }

    private static Path real(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            return path.toAbsolutePath().normalize();
        }
    }

    private static List<String> usage(List<String> args, String usage) throws MagicException {
        if (args.isEmpty()) {
            throw new MagicException("usage: " + usage);
        }
        return args;
    }

    /**
     * Reads a path as a shell would: a leading {@code ~/} is the home directory.
     *
     * @param name the path as written
     * @return the path
     */
    static Path path(String name) {
        return name.equals("~") || name.startsWith("~/")
                ? Path.of(System.getProperty("user.home") + name.substring(1))
                : Path.of(name);
    }

    /**
     * Expands a glob: {@code *} and {@code ?} within a name, {@code **} across directories, a
     * leading {@code ~/} for the home directory; a path without them is itself, if it exists.
     */
    static List<Path> glob(String glob) throws MagicException {
        Path pattern = path(glob).toAbsolutePath().normalize();
        Path base = pattern.getRoot();
        int depth = 0;
        boolean wild = false;
        for (Path name : pattern) {
            if (wild || name.toString().matches(".*[*?\\[{].*")) {
                wild = true;
                depth =
                        name.toString().contains("**")
                                ? Integer.MAX_VALUE
                                : depth == Integer.MAX_VALUE ? depth : depth + 1;
            } else {
                base = base.resolve(name);
            }
        }
        if (!wild) {
            return Files.exists(pattern) ? List.of(pattern) : List.of();
        }
        if (!Files.isDirectory(base)) {
            return List.of();
        }
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
        try (Stream<Path> walk = Files.walk(base, depth)) {
            return walk.filter(matcher::matches).sorted().toList();
        } catch (IOException e) {
            throw new MagicException("cannot list " + base + ": " + e);
        }
    }

    private static List<Path> list(Path directory) throws MagicException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.sorted().toList();
        } catch (IOException e) {
            throw new MagicException("cannot list " + directory + ": " + e);
        }
    }

    /**
     * Reads a POM, or builds one from a fragment: loose {@code <dependency>}, {@code <repository>}
     * elements and their {@code <dependencies>}, {@code <repositories>} lists, plus {@code
     * <properties>} and {@code <dependencyManagement>}.
     */
    static Model readPom(String xml) throws MagicException {
        String text = xml.strip();
        if (!text.startsWith("<project") && !text.startsWith("<?xml")) {
            text = projectOf(text);
        }
        try {
            return new MavenXpp3Reader().read(new StringReader(text), false);
        } catch (IOException | XmlPullParserException e) {
            throw new MagicException("not a POM: " + e.getMessage());
        }
    }

    private static String projectOf(String fragment) throws MagicException {
        Element root;
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            DocumentBuilder builder = factory.newDocumentBuilder();
            // The exception says what is wrong; the default handler would also print it to stderr.
            builder.setErrorHandler(new DefaultHandler());
            root =
                    builder.parse(
                                    new InputSource(
                                            new StringReader(
                                                    "<fragment>" + fragment + "</fragment>")))
                            .getDocumentElement();
        } catch (ParserConfigurationException | SAXException | IOException e) {
            throw new MagicException("not a POM fragment: " + e.getMessage());
        }
        StringBuilder dependencies = new StringBuilder();
        StringBuilder repositories = new StringBuilder();
        StringBuilder properties = new StringBuilder();
        StringBuilder managed = new StringBuilder();
        for (Element child : children(root, null)) {
            switch (child.getTagName()) {
                case "dependency" -> dependencies.append(xml(child));
                case "dependencies" ->
                        children(child, "dependency").forEach(e -> dependencies.append(xml(e)));
                case "repository" -> repositories.append(xml(child));
                case "repositories" ->
                        children(child, "repository").forEach(e -> repositories.append(xml(e)));
                case "properties" -> children(child, null).forEach(e -> properties.append(xml(e)));
                case "dependencyManagement" ->
                        children(child, "dependencies")
                                .forEach(
                                        list ->
                                                children(list, "dependency")
                                                        .forEach(e -> managed.append(xml(e))));
                default -> {
                    // Coordinates, build sections and the like say nothing about what to load.
                }
            }
        }
        return "<project><modelVersion>4.0.0</modelVersion><groupId>notebook</groupId>"
                + "<artifactId>cell</artifactId><version>0</version>"
                + "<properties>"
                + properties
                + "</properties>"
                + "<dependencyManagement><dependencies>"
                + managed
                + "</dependencies></dependencyManagement>"
                + "<dependencies>"
                + dependencies
                + "</dependencies>"
                + "<repositories>"
                + repositories
                + "</repositories></project>";
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> elements = new ArrayList<>();
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element
                    && (name == null || name.equals(element.getTagName()))) {
                elements.add(element);
            }
        }
        return elements;
    }

    private static String xml(Element element) {
        try {
            Transformer transformer = TransformerFactory.newInstance().newTransformer();
            transformer.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
            StringWriter out = new StringWriter();
            transformer.transform(new DOMSource(element), new StreamResult(out));
            return out.toString();
        } catch (TransformerException e) {
            throw new IllegalStateException("cannot write back a parsed element", e);
        }
    }

    /**
     * A POM dependency as Maven Resolver's, properties filled in and a missing version taken from
     * dependencyManagement.
     */
    private static Dependency dependency(
            org.apache.maven.model.Dependency pom, Properties properties, List<Dependency> managed)
            throws MagicException {
        String group = interpolate(pom.getGroupId(), properties);
        String artifact = interpolate(pom.getArtifactId(), properties);
        String version = interpolate(pom.getVersion(), properties);
        if (version == null || version.isBlank()) {
            version =
                    managed.stream()
                            .map(Dependency::getArtifact)
                            .filter(
                                    a ->
                                            a.getGroupId().equals(group)
                                                    && a.getArtifactId().equals(artifact))
                            .map(Artifact::getVersion)
                            .findFirst()
                            .orElseThrow(
                                    () ->
                                            new MagicException(
                                                    "no <version> for " + group + ":" + artifact));
        }
        String scope = pom.getScope() == null ? JavaScopes.COMPILE : pom.getScope();
        String systemPath = interpolate(pom.getSystemPath(), properties);
        Map<String, String> local =
                systemPath == null ? null : Map.of(ArtifactProperties.LOCAL_PATH, systemPath);
        Artifact coordinates =
                new DefaultArtifact(
                        group,
                        artifact,
                        interpolate(pom.getClassifier(), properties),
                        pom.getType() == null ? "jar" : pom.getType(),
                        version,
                        local,
                        (java.io.File) null);
        List<Exclusion> exclusions =
                pom.getExclusions().stream()
                        .map(e -> new Exclusion(e.getGroupId(), e.getArtifactId(), "*", "*"))
                        .toList();
        return new Dependency(coordinates, scope, pom.isOptional(), exclusions);
    }

    private static String interpolate(String value, Properties properties) {
        if (value == null) {
            return null;
        }
        Matcher matcher = PROPERTY.matcher(value);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            matcher.appendReplacement(
                    out,
                    Matcher.quoteReplacement(
                            properties.getProperty(matcher.group(1), matcher.group())));
        }
        return matcher.appendTail(out).toString();
    }
}
