import { startDatasetsSync } from "./datasets";
import { startJobsSync } from "./jobs";
import { startMachineSync } from "./machine";

/**
 * Load everything the window shows and keep it current from backend events.
 * Returns a function that stops all subscriptions and timers.
 */
export function startBackendSync(): () => void {
  const machine = startMachineSync();
  const stopJobs = startJobsSync(() => machine.poke());
  const stopDatasets = startDatasetsSync();
  return () => {
    stopDatasets();
    stopJobs();
    machine.stop();
  };
}
