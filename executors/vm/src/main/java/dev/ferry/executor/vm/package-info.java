/** The executor backend for cloud VMs (SSH and a container runtime). Built in its own issue. */
package dev.ferry.executor.vm;
