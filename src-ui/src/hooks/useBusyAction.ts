import { useCallback, useState } from "react";
import type { AppError } from "../bindings";
import { toAppError } from "../lib/api";

export type BusyAction = {
  /** True while the last `run` is in progress. */
  busy: boolean;
  /** What the last `run` failed with, until the next `run` or `clearError`. */
  error: AppError | null;
  /**
   * Run `action`: clears the error, sets `busy` until it settles and keeps its failure in
   * `error`. Resolves with the action's result, or undefined when it failed.
   */
  run: <T>(action: () => Promise<T>) => Promise<T | undefined>;
  clearError: () => void;
};

/** An action started from a button or form: whether it is running and why it last failed. */
export function useBusyAction(): BusyAction {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);

  const run = useCallback(async <T,>(action: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await action();
    } catch (e) {
      setError(toAppError(e));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);

  const clearError = useCallback(() => setError(null), []);

  return { busy, error, run, clearError };
}
