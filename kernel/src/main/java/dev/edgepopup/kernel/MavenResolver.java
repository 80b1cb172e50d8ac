package dev.edgepopup.kernel;

import java.io.File;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.maven.repository.internal.MavenRepositorySystemUtils;
import org.apache.maven.settings.Profile;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.building.DefaultSettingsBuilderFactory;
import org.apache.maven.settings.building.DefaultSettingsBuildingRequest;
import org.apache.maven.settings.building.SettingsBuildingException;
import org.eclipse.aether.ConfigurationProperties;
import org.eclipse.aether.DefaultRepositorySystemSession;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.artifact.Artifact;
import org.eclipse.aether.collection.CollectRequest;
import org.eclipse.aether.collection.DependencyCollectionContext;
import org.eclipse.aether.collection.DependencySelector;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.repository.LocalRepository;
import org.eclipse.aether.repository.Proxy;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.repository.RepositoryPolicy;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.resolution.DependencyRequest;
import org.eclipse.aether.resolution.DependencyResolutionException;
import org.eclipse.aether.resolution.DependencyResult;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.transfer.ArtifactNotFoundException;
import org.eclipse.aether.transfer.ArtifactTransferException;
import org.eclipse.aether.util.artifact.JavaScopes;
import org.eclipse.aether.util.filter.DependencyFilterUtils;
import org.eclipse.aether.util.repository.AuthenticationBuilder;
import org.eclipse.aether.util.repository.DefaultAuthenticationSelector;
import org.eclipse.aether.util.repository.DefaultMirrorSelector;
import org.eclipse.aether.util.repository.DefaultProxySelector;

/**
 * Resolves artifacts and their dependencies with Apache Maven Resolver, as Maven 3.9 does,
 * honouring {@code ~/.m2/settings.xml}: local repository, offline, mirrors, proxies, server
 * credentials (not encrypted ones) and the repositories of active profiles. {@code
 * -Dmaven.repo.local} overrides the local repository, as for Maven. Artifacts already in the local
 * repository need no network.
 */
final class MavenResolver implements AutoCloseable {
    /** Maven Central, searched first as in Maven's super POM. */
    static final String CENTRAL_ID = "central";

    static final String CENTRAL_URL = "https://repo.maven.apache.org/maven2/";
    private static final int CONNECT_MILLIS = 10_000;
    private static final int REQUEST_MILLIS = 60_000;
    private static final int MAX_REASONS = 8;

    /**
     * What a resolution found.
     *
     * @param artifacts the artifacts to add, with their files
     * @param kept dependencies left out because the class path has their groupId:artifactId
     */
    record Resolution(List<Artifact> artifacts, List<Dependency> kept) {}

    private final RepositorySystem system;
    private final Settings settings;
    private final Path localRepository;
    private final List<RemoteRepository> profileRepositories = new ArrayList<>();
    private final Map<String, RemoteRepository> added = new LinkedHashMap<>();

    /**
     * Reads the settings and starts Maven Resolver.
     *
     * @param userSettings the user's settings.xml; need not exist
     * @throws MagicException if it exists but cannot be read
     */
    MavenResolver(Path userSettings) throws MagicException {
        this.settings = readSettings(userSettings);
        String local = System.getProperty("maven.repo.local");
        if (local == null || local.isBlank()) {
            local = settings.getLocalRepository();
        }
        this.localRepository =
                local == null || local.isBlank()
                        ? userSettings.resolveSibling("repository")
                        : Path.of(local);
        Set<String> active = new LinkedHashSet<>(settings.getActiveProfiles());
        for (Profile profile : settings.getProfiles()) {
            boolean byDefault =
                    profile.getActivation() != null && profile.getActivation().isActiveByDefault();
            if (active.contains(profile.getId()) || byDefault) {
                for (org.apache.maven.settings.Repository repository : profile.getRepositories()) {
                    profileRepositories.add(
                            repository(
                                    repository.getId(),
                                    repository.getUrl(),
                                    repository.getLayout(),
                                    policy(repository.getReleases()),
                                    policy(repository.getSnapshots())));
                }
            }
        }
        this.system = new RepositorySystemSupplier().get();
    }

    /**
     * Returns the local repository in use.
     *
     * @return its directory
     */
    Path localRepository() {
        return localRepository;
    }

    /**
     * Adds a repository for {@link #resolve}, replacing one with the same id (%mavenRepo).
     *
     * @param id the repository id (settings.xml credentials and mirrors refer to it)
     * @param url its URL: https, http or file
     * @throws MagicException if the URL is not one
     */
    void addRepository(String id, String url) throws MagicException {
        added.put(id, repository(id, checkedUrl(url), "default", null, null));
    }

    /**
     * Returns Maven Central, the active profiles' repositories and those added, in that order.
     *
     * @return the repositories {@code %maven} searches
     */
    List<RemoteRepository> repositories() {
        List<RemoteRepository> all = new ArrayList<>();
        all.add(repository(CENTRAL_ID, CENTRAL_URL, "default", null, null));
        all.addAll(profileRepositories);
        all.addAll(added.values());
        return all;
    }

    /**
     * Returns the repositories of a POM, after Maven Central and the active profiles' ones.
     *
     * @param model the POM
     * @return the repositories {@code %%loadFromPOM} searches
     * @throws MagicException if a URL is not one
     */
    List<RemoteRepository> repositories(org.apache.maven.model.Model model) throws MagicException {
        List<RemoteRepository> all = new ArrayList<>();
        all.add(repository(CENTRAL_ID, CENTRAL_URL, "default", null, null));
        all.addAll(profileRepositories);
        for (org.apache.maven.model.Repository repository : model.getRepositories()) {
            if (!CENTRAL_ID.equals(repository.getId())) {
                all.add(
                        repository(
                                repository.getId(),
                                checkedUrl(repository.getUrl()),
                                repository.getLayout(),
                                policy(repository.getReleases()),
                                policy(repository.getSnapshots())));
            }
        }
        return all;
    }

    /**
     * Resolves dependencies with their transitive compile and runtime dependencies.
     *
     * @param roots what was asked for
     * @param managed versions to use where these appear (a POM's dependencyManagement)
     * @param repositories where to look, after the local repository
     * @param present groupId:artifactId of what the class path has: neither resolved nor followed
     * @return the artifacts, and the dependencies left out as present
     * @throws MagicException saying which artifacts could not be resolved and where they were
     *     looked for
     */
    Resolution resolve(
            List<Dependency> roots,
            List<Dependency> managed,
            List<RemoteRepository> repositories,
            Set<String> present)
            throws MagicException {
        DefaultRepositorySystemSession session = session();
        Map<String, Dependency> kept = new LinkedHashMap<>();
        session.setDependencySelector(
                new SkipPresent(session.getDependencySelector(), present, kept));
        List<RemoteRepository> remote = system.newResolutionRepositories(session, repositories);
        CollectRequest collect = new CollectRequest(roots, managed, remote);
        DependencyRequest request =
                new DependencyRequest(
                        collect,
                        DependencyFilterUtils.classpathFilter(
                                JavaScopes.COMPILE, JavaScopes.RUNTIME));
        try {
            DependencyResult result = system.resolveDependencies(session, request);
            List<Artifact> artifacts =
                    result.getArtifactResults().stream().map(ArtifactResult::getArtifact).toList();
            return new Resolution(artifacts, List.copyOf(kept.values()));
        } catch (DependencyResolutionException e) {
            throw new MagicException(failure(e, roots, remote));
        }
    }

    @Override
    public void close() {
        system.shutdown();
    }

    private DefaultRepositorySystemSession session() {
        DefaultRepositorySystemSession session = MavenRepositorySystemUtils.newSession();
        session.setLocalRepositoryManager(
                system.newLocalRepositoryManager(
                        session, new LocalRepository(localRepository.toFile())));
        session.setOffline(settings.isOffline());
        session.setSystemProperties(System.getProperties());
        session.setConfigProperty(ConfigurationProperties.CONNECT_TIMEOUT, CONNECT_MILLIS);
        session.setConfigProperty(ConfigurationProperties.REQUEST_TIMEOUT, REQUEST_MILLIS);
        DefaultMirrorSelector mirrors = new DefaultMirrorSelector();
        for (org.apache.maven.settings.Mirror mirror : settings.getMirrors()) {
            mirrors.add(
                    mirror.getId(),
                    mirror.getUrl(),
                    mirror.getLayout(),
                    false,
                    mirror.isBlocked(),
                    mirror.getMirrorOf(),
                    mirror.getMirrorOfLayouts());
        }
        session.setMirrorSelector(mirrors);
        DefaultProxySelector proxies = new DefaultProxySelector();
        for (org.apache.maven.settings.Proxy proxy : settings.getProxies()) {
            if (proxy.isActive()) {
                proxies.add(
                        new Proxy(
                                proxy.getProtocol(),
                                proxy.getHost(),
                                proxy.getPort(),
                                new AuthenticationBuilder()
                                        .addUsername(proxy.getUsername())
                                        .addPassword(proxy.getPassword())
                                        .build()),
                        proxy.getNonProxyHosts());
            }
        }
        session.setProxySelector(proxies);
        DefaultAuthenticationSelector credentials = new DefaultAuthenticationSelector();
        for (Server server : settings.getServers()) {
            credentials.add(
                    server.getId(),
                    new AuthenticationBuilder()
                            .addUsername(server.getUsername())
                            .addPassword(server.getPassword())
                            .addPrivateKey(server.getPrivateKey(), server.getPassphrase())
                            .build());
        }
        session.setAuthenticationSelector(credentials);
        return session;
    }

    private String failure(
            DependencyResolutionException e,
            List<Dependency> roots,
            List<RemoteRepository> searched) {
        Set<String> reasons = new LinkedHashSet<>();
        boolean unreachable = false;
        DependencyResult result = e.getResult();
        if (result != null) {
            for (Exception collect : result.getCollectExceptions()) {
                for (Throwable t = collect;
                        t != null && reasons.size() < MAX_REASONS;
                        t = t.getCause()) {
                    reasons.add(t.getMessage());
                }
            }
            for (ArtifactResult artifact : result.getArtifactResults()) {
                for (Exception reason : artifact.getExceptions()) {
                    reasons.add(reason.getMessage());
                    unreachable |=
                            reason instanceof ArtifactTransferException
                                    && !(reason instanceof ArtifactNotFoundException);
                }
            }
        }
        if (reasons.isEmpty()) {
            reasons.add(e.getMessage());
        }
        StringBuilder message =
                new StringBuilder("could not resolve ")
                        .append(
                                roots.stream()
                                        .map(d -> d.getArtifact().toString())
                                        .collect(Collectors.joining(", ")));
        reasons.remove(null);
        // A cause's message is usually part of its wrapper's: keep the fullest one.
        reasons.stream()
                .filter(
                        reason ->
                                reasons.stream()
                                        .noneMatch(
                                                other ->
                                                        other.length() > reason.length()
                                                                && other.contains(reason)))
                .limit(MAX_REASONS)
                .forEach(reason -> message.append("\n  ").append(reason));
        message.append("\nLooked in the local repository ")
                .append(localRepository)
                .append(" and in ")
                .append(
                        searched.stream()
                                .map(r -> r.getId() + " (" + r.getUrl() + ")")
                                .collect(Collectors.joining(", ")))
                .append(". %mavenRepo ID URL adds a repository.");
        if (unreachable || settings.isOffline()) {
            message.append("\nWithout a network only what the local repository holds can be used.");
        }
        return message.toString();
    }

    private static Settings readSettings(Path file) throws MagicException {
        if (!Files.isRegularFile(file)) {
            return new Settings();
        }
        DefaultSettingsBuildingRequest request = new DefaultSettingsBuildingRequest();
        request.setUserSettingsFile(file.toFile());
        Properties properties = new Properties();
        properties.putAll(System.getProperties());
        System.getenv().forEach((name, value) -> properties.setProperty("env." + name, value));
        request.setSystemProperties(properties);
        try {
            return new DefaultSettingsBuilderFactory()
                    .newInstance()
                    .build(request)
                    .getEffectiveSettings();
        } catch (SettingsBuildingException e) {
            throw new MagicException(file + " cannot be read: " + e.getMessage().strip());
        }
    }

    private static String checkedUrl(String url) throws MagicException {
        try {
            String scheme = url == null ? null : new URI(url).getScheme();
            if (scheme != null
                    && Set.of("https", "http", "file").contains(scheme.toLowerCase(Locale.ROOT))) {
                return url;
            }
        } catch (URISyntaxException e) {
            // Reported below.
        }
        throw new MagicException(
                "not a repository URL: "
                        + url
                        + " (use https://..., http://... or file:"
                        + File.separator
                        + "...)");
    }

    private static RemoteRepository repository(
            String id,
            String url,
            String layout,
            RepositoryPolicy releases,
            RepositoryPolicy snapshots) {
        RemoteRepository.Builder builder =
                new RemoteRepository.Builder(id, layout == null ? "default" : layout, url);
        if (url.startsWith("file:")) {
            // A directory on this machine needs no integrity check, and often has no checksum
            // files.
            RepositoryPolicy local =
                    new RepositoryPolicy(
                            true,
                            RepositoryPolicy.UPDATE_POLICY_DAILY,
                            RepositoryPolicy.CHECKSUM_POLICY_IGNORE);
            builder.setReleasePolicy(local).setSnapshotPolicy(local);
        }
        if (releases != null) {
            builder.setReleasePolicy(releases);
        }
        if (snapshots != null) {
            builder.setSnapshotPolicy(snapshots);
        }
        return builder.build();
    }

    private static RepositoryPolicy policy(org.apache.maven.settings.RepositoryPolicy policy) {
        return policy == null
                ? null
                : new RepositoryPolicy(
                        policy.isEnabled(), policy.getUpdatePolicy(), policy.getChecksumPolicy());
    }

    private static RepositoryPolicy policy(org.apache.maven.model.RepositoryPolicy policy) {
        return policy == null
                ? null
                : new RepositoryPolicy(
                        policy.isEnabled(), policy.getUpdatePolicy(), policy.getChecksumPolicy());
    }

    /**
     * Leaves out dependencies whose groupId:artifactId the class path already has, and their own
     * dependencies (the class path has those too), noting what it left out.
     */
    private static final class SkipPresent implements DependencySelector {
        private final DependencySelector delegate;
        private final Set<String> present;
        private final Map<String, Dependency> kept;

        SkipPresent(
                DependencySelector delegate, Set<String> present, Map<String, Dependency> kept) {
            this.delegate = delegate;
            this.present = present;
            this.kept = kept;
        }

        @Override
        public boolean selectDependency(Dependency dependency) {
            if (!delegate.selectDependency(dependency)) {
                return false;
            }
            Artifact artifact = dependency.getArtifact();
            String key = artifact.getGroupId() + ":" + artifact.getArtifactId();
            if (present.contains(key)) {
                kept.putIfAbsent(key, dependency);
                return false;
            }
            return true;
        }

        @Override
        public DependencySelector deriveChildSelector(DependencyCollectionContext context) {
            DependencySelector child = delegate.deriveChildSelector(context);
            return child == delegate ? this : new SkipPresent(child, present, kept);
        }

        // The collector caches by selector: equal selectors must select alike.
        @Override
        public boolean equals(Object other) {
            return other instanceof SkipPresent skip
                    && skip.delegate.equals(delegate)
                    && skip.present == present
                    && skip.kept == kept;
        }

        @Override
        public int hashCode() {
            return delegate.hashCode() * 31 + System.identityHashCode(present);
        }
    }
}
