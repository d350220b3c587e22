import { create } from "zustand";
import { commands, type AppError, type MachineStatus } from "../bindings";
import { call, toAppError } from "../lib/api";

export type MachineState = {
  status: MachineStatus | null;
  error: AppError | null;
  load: () => Promise<void>;
  reset: () => void;
};

let requestSeq = 0;

export const useMachineStore = create<MachineState>()((set) => ({
  status: null,
  error: null,

  load: async () => {
    const seq = ++requestSeq;
    try {
      const status = await call(commands.machineStatus());
      if (seq !== requestSeq) return;
      set({ status, error: null });
    } catch (e) {
      if (seq !== requestSeq) return;
      set({ error: toAppError(e) });
    }
  },

  reset: () => {
    requestSeq += 1;
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
