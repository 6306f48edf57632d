/**
 * The HTCondor backend's pure logic: a pod to a submit description and pod directory
 * ({@link dev.ferry.executor.htcondor.model.SubmitDescription}), HTCondor's argument and environment
 * quoting ({@link dev.ferry.executor.htcondor.model.SubmitQuoting}), the submit-command annotation
 * and its allow-list ({@link dev.ferry.executor.htcondor.model.SubmitAnnotation}), the JSON of
 * {@code condor_q}/{@code condor_history}/{@code condor_status}
 * ({@link dev.ferry.executor.htcondor.model.JobAd}), job states to pod states
 * ({@link dev.ferry.executor.htcondor.model.JobStates}), and slots to pools
 * ({@link dev.ferry.executor.htcondor.model.SlotPools}). No processes, no files.
 */
package dev.ferry.executor.htcondor.model;
