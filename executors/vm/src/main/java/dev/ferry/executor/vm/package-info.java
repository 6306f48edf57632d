/**
 * The VM backend: {@link dev.ferry.executor.vm.VmBackend} runs pods on VMs reached over SSH
 * ({@link dev.ferry.executor.vm.ssh.SshClient}, JSch, keys only, host keys verified against the
 * site's known_hosts) as detached units with a container runtime per pool (podman, docker,
 * apptainer, or the command directly). The pure parts — the wrapper and the remote scripts, their
 * output's parsing, the state mapping, placement — are in {@code model}; where hosts come from is
 * {@code provision}. A host whose address is {@code local} is this machine, driven by
 * {@link dev.ferry.executor.vm.local.LocalShell} without SSH; {@link dev.ferry.executor.vm.LocalSite}
 * is the site {@code ferry dev} runs pods in that way. {@link dev.ferry.executor.vm.ssh.SshCommandRunner} is a
 * {@link dev.ferry.executor.spi.CommandRunner} over SSH that other backends can reuse.
 */
package dev.ferry.executor.vm;
