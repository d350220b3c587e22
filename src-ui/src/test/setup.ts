import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach } from "vitest";
import { useDatasetsStore } from "../store/datasets";
import { useJobsStore } from "../store/jobs";
import { useLocksStore } from "../store/locks";
import { useMachineStore } from "../store/machine";
import { useTokenizeStore } from "../store/tokenize";

// jsdom has no layout: charts (Recharts' ResponsiveContainer) need a ResizeObserver to exist.
if (typeof globalThis.ResizeObserver === "undefined") {
  globalThis.ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
}

// ...and then warns that the chart measured 0 × 0, which is all jsdom can measure.
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  if (typeof args[0] === "string" && args[0].startsWith("The width(0) and height(0) of chart")) return;
  warn(...args);
};

afterEach(() => {
  // Unmount first so components unsubscribe while the IPC mock still exists.
  cleanup();
  clearMocks();
  useDatasetsStore.getState().reset();
  useJobsStore.getState().reset();
  useLocksStore.getState().reset();
  useMachineStore.getState().reset();
  useTokenizeStore.getState().reset();
});
