/** The executor backend for HTCondor. Built in its own issue. */
package dev.ferry.executor.htcondor;
