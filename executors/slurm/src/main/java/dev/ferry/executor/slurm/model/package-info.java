/**
 * The Slurm backend's pure logic: a pod to a batch script and {@code sbatch} options
 * ({@link dev.ferry.executor.slurm.model.BatchScript}), the flag allow-list
 * ({@link dev.ferry.executor.slurm.model.SbatchFlags}), the job identity in the job's comment
 * ({@link dev.ferry.executor.slurm.model.JobComment}), Slurm's text outputs to job states
 * ({@link dev.ferry.executor.slurm.model.SlurmStates}) and to pools
 * ({@link dev.ferry.executor.slurm.model.SinfoPools}). No processes, no files.
 */
package dev.ferry.executor.slurm.model;
