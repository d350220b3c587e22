import { useCallback, useEffect, useRef, useState } from "react";
import { commands, type AppError, type DatasetStorage } from "../bindings";
import { call, toAppError } from "../lib/api";
import { EMPTY_TOKENIZATIONS, useTokenizeStore } from "../store/tokenize";

type State = { storage: DatasetStorage | null; error: AppError | null };

/**
 * The dataset's bytes on disk (the asked `dataset_storage`), kept current: it is asked again
 * whenever the dataset's tokenizations change, since they add or free the most bytes.
 */
export function useDatasetStorage(datasetId: string, updatedAt: number) {
  const tokenizations = useTokenizeStore((s) => s.byDataset[datasetId] ?? EMPTY_TOKENIZATIONS).items;
  const [state, setState] = useState<State>({ storage: null, error: null });
  // Only the newest answer may land, so a slow old one cannot overwrite a fresher one.
  const seq = useRef(0);

  const load = useCallback(async () => {
    const mine = ++seq.current;
    try {
      const storage = await call(commands.datasetStorage(datasetId));
      if (mine === seq.current) setState({ storage, error: null });
    } catch (e) {
      if (mine === seq.current) setState((s) => ({ storage: s.storage, error: toAppError(e) }));
    }
  }, [datasetId]);

  useEffect(() => {
    void load();
  }, [load, tokenizations, updatedAt]);

  return { ...state, reload: load };
}
