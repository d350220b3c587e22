import { startDatasetsSync } from "./datasets";
import { startJobsSync } from "./jobs";
import { startLocksSync } from "./locks";
import { startMachineSync } from "./machine";
import { noteTokenizeJob, startTokenizeSync } from "./tokenize";

/**
 * Load everything the window shows and keep it current from backend events.
 * Returns a function that stops all subscriptions and timers.
 */
export function startBackendSync(): () => void {
  const machine = startMachineSync();
  const stopJobs = startJobsSync((job) => {
    machine.poke();
    noteTokenizeJob(job);
  });
  const stopDatasets = startDatasetsSync();
  const stopTokenize = startTokenizeSync();
  const stopLocks = startLocksSync();
  return () => {
    stopLocks();
    stopTokenize();
    stopDatasets();
    stopJobs();
    machine.stop();
  };
}
