import { useCallback, useEffect, useRef, useState } from "react";
import { getCurrentWindow } from "@tauri-apps/api/window";
import { commands, type AppError, type RescanReport } from "../bindings";
import { call, toAppError } from "../lib/api";
import { listenSafely } from "../store/listen";

/** A focus rescan runs at most this often: switching windows should not keep the disk busy. */
export const FOCUS_RESCAN_INTERVAL_MS = 30_000;

export type RescanState = {
  running: boolean;
  /** What the last rescan asked for by the button found, in words. */
  message: string | null;
  error: AppError | null;
};

export function rescanSummary(report: RescanReport): string {
  const parts: string[] = [];
  if (report.added.length > 0) parts.push(`${report.added.length} added`);
  if (report.updated.length > 0) parts.push(`${report.updated.length} updated`);
  if (report.removed.length > 0) parts.push(`${report.removed.length} removed`);
  return parts.length === 0 ? "Up to date with the data folder" : `Data folder rescanned: ${parts.join(", ")}`;
}

/**
 * Rescans the data folder (another machine may share it) when asked and when the window
 * regains focus. The lists follow through the engine's change events.
 */
export function useRescan() {
  const [state, setState] = useState<RescanState>({ running: false, message: null, error: null });
  const running = useRef(false);
  const lastRun = useRef(0);

  const run = useCallback(async (reason: "button" | "focus") => {
    if (running.current) return;
    if (reason === "focus" && Date.now() - lastRun.current < FOCUS_RESCAN_INTERVAL_MS) return;
    running.current = true;
    lastRun.current = Date.now();
    if (reason === "button") setState({ running: true, message: null, error: null });
    try {
      const report = await call(commands.rescan());
      if (reason === "button") setState({ running: false, message: rescanSummary(report), error: null });
    } catch (e) {
      // A failed background rescan stays quiet; the next focus or the button tries again.
      if (reason === "button") setState({ running: false, message: null, error: toAppError(e) });
    } finally {
      running.current = false;
    }
  }, []);

  useEffect(
    () =>
      listenSafely<boolean>({ listen: (cb) => getCurrentWindow().onFocusChanged(cb) }, (focused) => {
        if (focused) void run("focus");
      }),
    [run],
  );

  return { ...state, rescan: () => void run("button") };
}
