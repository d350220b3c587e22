import { create } from "zustand";
import { commands, events, type AppError, type DataLock } from "../bindings";
import { call } from "../lib/api";
import { latestRequest } from "../lib/latestRequest";
import { liveLockFor } from "../lib/locks";
import { listenSafely } from "./listen";

export type LocksState = {
  /** Locks other processes hold on datasets (stale ones included). */
  locks: DataLock[];
  /** True once a load succeeded. */
  loaded: boolean;
  /** The last load's failure; the previous locks are kept. */
  error: AppError | null;
  load: () => Promise<void>;
  reset: () => void;
};

const initial = { locks: [], loaded: false, error: null } satisfies Partial<LocksState>;

const locksRequest = latestRequest();

export const useLocksStore = create<LocksState>()((set) => ({
  ...initial,

  load: () =>
    locksRequest.run(
      call(commands.dataLocks()),
      (locks) => set({ locks, loaded: true, error: null }),
      (error) => {
        console.error("Could not load the data folder's locks", error);
        set({ error });
      },
    ),

  reset: () => {
    locksRequest.drop();
    set({ ...initial });
  },
}));

/** The live lock another process holds on the dataset, or null when it is free here. */
export function useDatasetLock(datasetId: string): DataLock | null {
  return useLocksStore((s) => liveLockFor(s.locks, datasetId));
}

/** Lock files are watched by the engine; this catches a missed event (or a silent share). */
export const LOCKS_POLL_MS = 15_000;

/**
 * Load the locks and reload them on `locks-changed`, on `datasets-changed` and every
 * {@link LOCKS_POLL_MS}. Returns a function that stops.
 */
export function startLocksSync(): () => void {
  const reload = () => void useLocksStore.getState().load();
  const stopLocks = listenSafely(events.locksChanged, reload);
  const stopDatasets = listenSafely(events.datasetsChanged, reload);
  const interval = setInterval(reload, LOCKS_POLL_MS);
  reload();
  return () => {
    clearInterval(interval);
    stopLocks();
    stopDatasets();
  };
}
