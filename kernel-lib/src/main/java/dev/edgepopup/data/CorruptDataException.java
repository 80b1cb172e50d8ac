package dev.edgepopup.data;

import java.nio.file.Path;

/**
 * A data file that exists but cannot be what it claims to be: bad magic, truncated, or holding
 * values outside the format. Readers throw it rather than return a silently wrong tensor.
 */
public final class CorruptDataException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long offset;

    /**
     * Creates the exception.
     *
     * @param file the offending file
     * @param offset the byte offset where the problem was found (for gzip files, in the
     *     decompressed stream)
     * @param problem what is wrong there
     */
    public CorruptDataException(Path file, long offset, String problem) {
        super(file + " at byte " + offset + ": " + problem);
        this.file = file;
        this.offset = offset;
    }

    /**
     * @return the offending file
     */
    public Path file() {
        return file;
    }

    /**
     * @return the byte offset of the problem (decompressed stream for gzip files)
     */
    public long offset() {
        return offset;
    }
}
