import type { EventCallback, UnlistenFn } from "@tauri-apps/api/event";

/** The `listen` half of a tauri-specta event object (`events.jobEvent`, ...). */
export type ListenableEvent<T> = {
  listen: (cb: EventCallback<T>) => Promise<UnlistenFn>;
};

/**
 * Start a Tauri event subscription and return a synchronous stop function that
 * is safe to call before the subscription has been established (React strict
 * mode) and never throws or leaves a rejected promise behind.
 */
export function listenSafely<T>(
  source: ListenableEvent<T>,
  handler: (payload: T) => void,
): () => void {
  let stopped = false;
  let unlisten: UnlistenFn | null = null;

  const release = (fn: UnlistenFn) => {
    try {
      void Promise.resolve(fn()).catch(() => undefined);
    } catch {
      // The IPC bridge is already gone (window closing, test teardown).
    }
  };

  source.listen((event) => {
    if (!stopped) handler(event.payload);
  }).then(
    (fn) => {
      if (stopped) release(fn);
      else unlisten = fn;
    },
    (e: unknown) => {
      console.error("Could not subscribe to backend events", e);
    },
  );

  return () => {
    stopped = true;
    if (unlisten) {
      release(unlisten);
      unlisten = null;
    }
  };
}
