/** The executor backend for Slurm. Built in its own issue. */
package dev.ferry.executor.slurm;
