import { create } from "zustand";
import { commands, type AppError, type MachineStatus } from "../bindings";
import { call } from "../lib/api";
import { latestRequest } from "../lib/latestRequest";

export type MachineState = {
  status: MachineStatus | null;
  error: AppError | null;
  load: () => Promise<void>;
  reset: () => void;
};

const statusRequest = latestRequest();

export const useMachineStore = create<MachineState>()((set) => ({
  status: null,
  error: null,

  load: () =>
    statusRequest.run(
      call(commands.machineStatus()),
      (status) => set({ status, error: null }),
      (error) => set({ error }),
    ),

  reset: () => {
    statusRequest.drop();
    set({ status: null, error: null });
  },
}));

export const MACHINE_POLL_MS = 5000;
/** Job events can arrive many times a second; refresh at most this often. */
export const MACHINE_EVENT_THROTTLE_MS = 300;

export type MachineSync = {
  stop: () => void;
  /** Ask for a refresh soon (coalesces bursts of job events). */
  poke: () => void;
};

export function startMachineSync(): MachineSync {
  let stopped = false;
  let pending: ReturnType<typeof setTimeout> | null = null;
  const refresh = () => {
    if (!stopped) void useMachineStore.getState().load();
  };
  const interval = setInterval(refresh, MACHINE_POLL_MS);
  refresh();
  return {
    stop: () => {
      stopped = true;
      clearInterval(interval);
      if (pending !== null) clearTimeout(pending);
      pending = null;
    },
    poke: () => {
      if (stopped || pending !== null) return;
      pending = setTimeout(() => {
        pending = null;
        refresh();
      }, MACHINE_EVENT_THROTTLE_MS);
    },
  };
}
