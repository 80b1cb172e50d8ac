package dev.edgepopup.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Properties;

/**
 * What every launcher of a JVM that runs libtorch sets, as the root pom defines it once ({@code
 * <launch.jvm>}, {@code <native.malloc>}): the tests, {@code bin/*} and the kernelspec read the
 * same two lines through {@code environment/native-env.sh}.
 */
public final class Launch {
    private static final Properties SETTINGS = load();

    private Launch() {}

    /**
     * @return the JVM flags, e.g. {@code -Djava.awt.headless=true}, in order
     */
    public static List<String> jvmFlags() {
        return List.of(SETTINGS.getProperty("jvm.flags").trim().split("\\s+"));
    }

    /**
     * @return the value of {@code GLIBC_TUNABLES} that keeps freed native memory for reuse
     */
    public static String glibcTunables() {
        return SETTINGS.getProperty("glibc.tunables").trim();
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in =
                Launch.class.getResourceAsStream("/dev/edgepopup/launch.properties")) {
            if (in == null) {
                throw new IllegalStateException(
                        "dev/edgepopup/launch.properties is missing from " + "the class path");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
