package dev.ferry.router.model;

/** A text is not a Kubernetes quantity, or not one a resource may have; the message names the text. */
public final class InvalidQuantityException extends IllegalArgumentException {

    private final String text;

    public InvalidQuantityException(String text, String problem) {
        super("'" + text + "' " + problem);
        this.text = text;
    }

    /** The offending text as written. */
    public String text() {
        return text;
    }
}
