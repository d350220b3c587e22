import type { AppError } from "../bindings";
import { toAppError } from "./api";

/**
 * Requests of one kind where only the newest answer counts: an answer that arrives after a
 * newer request was made, or after `drop`, is thrown away, so a slow old answer can never
 * overwrite a fresher one.
 */
export type LatestRequest = {
  /**
   * Await `answer` and hand it to `onValue` (its failure to `onError`), unless a newer `run` or
   * a `drop` came meanwhile. Resolves once the answer was handled or dropped.
   */
  run: <T>(answer: Promise<T>, onValue: (value: T) => void, onError: (error: AppError) => void) => Promise<void>;
  /** Throw away every answer still on its way. */
  drop: () => void;
};

/** A {@link LatestRequest} for code outside React (the stores); components use `useLatestRequest`. */
export function latestRequest(): LatestRequest {
  let newest = 0;
  return {
    run: async (answer, onValue, onError) => {
      const mine = ++newest;
      let value;
      try {
        value = await answer;
      } catch (e) {
        if (mine === newest) onError(toAppError(e));
        return;
      }
      if (mine === newest) onValue(value);
    },
    drop: () => {
      newest += 1;
    },
  };
}
