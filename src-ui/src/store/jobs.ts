import { create } from "zustand";
import { commands, events, type AppError, type Job } from "../bindings";
import { call, toAppError } from "../lib/api";
import { listenSafely } from "./listen";

export type JobsState = {
  /** Jobs keyed by id. */
  jobs: Record<string, Job>;
  loaded: boolean;
  error: AppError | null;
  load: () => Promise<void>;
  /** Insert or replace a job; an update older than the stored one is ignored. */
  upsert: (job: Job) => void;
  reset: () => void;
};

const initial = { jobs: {}, loaded: false, error: null } satisfies Partial<JobsState>;

/** True when `incoming` should replace `current` (not older than it). */
function isNewer(current: Job | undefined, incoming: Job): boolean {
  return current === undefined || incoming.updated_at >= current.updated_at;
}

export const useJobsStore = create<JobsState>()((set) => ({
  ...initial,

  load: async () => {
    try {
      const list = await call(commands.listJobs());
      set((state) => {
        // Events may have arrived while the list was in flight: keep whichever is newer.
        const jobs: Record<string, Job> = { ...state.jobs };
        for (const job of list) {
          if (isNewer(jobs[job.id], job)) jobs[job.id] = job;
        }
        return { jobs, loaded: true, error: null };
      });
    } catch (e) {
      set({ error: toAppError(e), loaded: true });
    }
  },

  upsert: (job) => {
    set((state) => {
      if (!isNewer(state.jobs[job.id], job)) return state;
      return { jobs: { ...state.jobs, [job.id]: job } };
    });
  },

  reset: () => set({ ...initial }),
}));

export function isActiveJob(job: Job): boolean {
  return job.status === "queued" || job.status === "running";
}

/** The most recently updated queued/running job that targets `datasetId`. */
export function activeJobFor(jobs: Record<string, Job>, datasetId: string): Job | null {
  let best: Job | null = null;
  for (const job of Object.values(jobs)) {
    if (job.target !== datasetId || !isActiveJob(job)) continue;
    if (best === null || job.updated_at > best.updated_at) best = job;
  }
  return best;
}

/**
 * Subscribe to job events, then load the list. Returns a function that stops
 * listening. `onEvent` is called after every applied event.
 */
export function startJobsSync(onEvent?: (job: Job) => void): () => void {
  const store = useJobsStore.getState();
  const stop = listenSafely(
    events.jobEvent,
    (payload) => {
      useJobsStore.getState().upsert(payload.job);
      onEvent?.(payload.job);
    },
  );
  void store.load();
  return stop;
}
