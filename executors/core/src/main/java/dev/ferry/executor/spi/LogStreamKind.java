package dev.ferry.executor.spi;

/** Which output stream of a container. */
public enum LogStreamKind {
    STDOUT,
    STDERR
}
