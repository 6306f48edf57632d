package dev.ferry.router.model;

/** A pool's state as its executor advertises it; only {@code READY} pools receive pods. */
public enum PoolState {
    READY, DRAINING, DOWN, UNKNOWN
}
