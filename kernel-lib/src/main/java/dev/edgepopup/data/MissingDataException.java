package dev.edgepopup.data;

import java.nio.file.Path;

/** A data set that is not where it was looked for; the message says how to get it. */
public final class MissingDataException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path path;

    /**
     * Creates the exception.
     *
     * @param path the missing file or directory
     * @param howToGet a sentence telling the user how to install or place the data
     */
    public MissingDataException(Path path, String howToGet) {
        super(path + " not found. " + howToGet);
        this.path = path;
    }

    /**
     * @return the missing file or directory
     */
    public Path path() {
        return path;
    }
}
