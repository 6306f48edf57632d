/**
 * The executor backend for HTCondor: pods become jobs submitted with {@code condor_submit}, watched with
 * one {@code condor_q -json} per poll (and {@code condor_history -json} once they left the queue),
 * cancelled with {@code condor_rm}; pools come from {@code condor_status}. The tools run through a
 * {@link dev.ferry.executor.spi.CommandRunner}: locally, or inside a chroot as an ordinary user
 * ({@link dev.ferry.executor.htcondor.ChrootCommandRunner}). Pure logic is in
 * {@link dev.ferry.executor.htcondor.model}.
 */
package dev.ferry.executor.htcondor;
