/**
 * The Slurm backend: {@link dev.ferry.executor.slurm.SlurmBackend} runs {@code sbatch},
 * {@code squeue}, {@code scontrol}, {@code sacct}, {@code scancel} and {@code sinfo} through a
 * {@link dev.ferry.executor.spi.CommandRunner} (argument lists, no shell). The pure parts — pod to
 * batch script, flag allow-list, state mapping, {@code sinfo} to pools — are in {@code model}.
 */
package dev.ferry.executor.slurm;
