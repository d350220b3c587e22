import { create } from "zustand";
import { commands, events, type AppError, type Dataset } from "../bindings";
import { call, toAppError } from "../lib/api";
import { listenSafely } from "./listen";

export type DatasetsState = {
  datasets: Dataset[];
  /** True until the first load finished (successfully or not). */
  loading: boolean;
  error: AppError | null;
  load: () => Promise<void>;
  reset: () => void;
};

const initial = { datasets: [], loading: true, error: null } satisfies Partial<DatasetsState>;

// Only the newest request may write to the store, so a slow old response
// cannot overwrite a fresher list.
let requestSeq = 0;

export const useDatasetsStore = create<DatasetsState>()((set) => ({
  ...initial,

  load: async () => {
    const seq = ++requestSeq;
    try {
      const datasets = await call(commands.listDatasets());
      if (seq !== requestSeq) return;
      set({ datasets, loading: false, error: null });
    } catch (e) {
      if (seq !== requestSeq) return;
      set({ error: toAppError(e), loading: false });
    }
  },

  reset: () => {
    requestSeq += 1;
    set({ ...initial });
  },
}));

/** Subscribe to `datasets-changed` (reloads the list), then load it. */
export function startDatasetsSync(): () => void {
  const stop = listenSafely(
    events.datasetsChanged,
    () => {
      void useDatasetsStore.getState().load();
    },
  );
  void useDatasetsStore.getState().load();
  return stop;
}
