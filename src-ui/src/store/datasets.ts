import { create } from "zustand";
import { commands, events, type AppError, type Dataset } from "../bindings";
import { call } from "../lib/api";
import { latestRequest } from "../lib/latestRequest";
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

const listRequest = latestRequest();

export const useDatasetsStore = create<DatasetsState>()((set) => ({
  ...initial,

  load: () =>
    listRequest.run(
      call(commands.listDatasets()),
      (datasets) => set({ datasets, loading: false, error: null }),
      (error) => set({ error, loading: false }),
    ),

  reset: () => {
    listRequest.drop();
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
