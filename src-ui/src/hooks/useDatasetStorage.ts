import { useCallback, useEffect, useState } from "react";
import { commands, type AppError, type DatasetStorage } from "../bindings";
import { call } from "../lib/api";
import { EMPTY_TOKENIZATIONS, useTokenizeStore } from "../store/tokenize";
import { useLatestRequest } from "./useLatestRequest";

type State = { storage: DatasetStorage | null; error: AppError | null };

/**
 * The dataset's bytes on disk (the asked `dataset_storage`), kept current: it is asked again
 * whenever the dataset's tokenizations change, since they add or free the most bytes.
 */
export function useDatasetStorage(datasetId: string, updatedAt: number) {
  const tokenizations = useTokenizeStore((s) => s.byDataset[datasetId] ?? EMPTY_TOKENIZATIONS).items;
  const [state, setState] = useState<State>({ storage: null, error: null });
  const storageRequest = useLatestRequest();

  const load = useCallback(
    () =>
      storageRequest.run(
        call(commands.datasetStorage(datasetId)),
        (storage) => setState({ storage, error: null }),
        // A failed refresh keeps the figures already shown.
        (error) => setState((s) => ({ storage: s.storage, error })),
      ),
    [datasetId, storageRequest],
  );

  useEffect(() => {
    void load();
  }, [load, tokenizations, updatedAt]);

  return { ...state, reload: load };
}
