/**
 * Pure logic of the VM backend, with no SSH and no I/O: a pod as a job directory and wrapper
 * script ({@link dev.ferry.executor.vm.model.JobBundle}), the scripts sent to a VM
 * ({@link dev.ferry.executor.vm.model.RemoteScripts}), argument lists as quoted SSH command lines
 * ({@link dev.ferry.executor.vm.model.RemoteCommand}), parsing what the scripts print
 * ({@link dev.ferry.executor.vm.model.StatusReport}, {@link dev.ferry.executor.vm.model.LogFrames}),
 * job states ({@link dev.ferry.executor.vm.model.JobStates}) and placement
 * ({@link dev.ferry.executor.vm.model.Placement}).
 */
package dev.ferry.executor.vm.model;
