package dev.edgepopup.io;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

/** The one JSON configuration used by checkpoints, exports and the command line. */
public final class Json {
    /** Pretty, with NaN allowed (an interrupted epoch has no test accuracy). */
    public static final Gson GSON =
            new GsonBuilder().serializeSpecialFloatingPointValues().setPrettyPrinting().create();

    private Json() {}
}
