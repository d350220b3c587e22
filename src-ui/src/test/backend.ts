import { mockIPC, mockWindows } from "@tauri-apps/api/mocks";
import type { InvokeArgs } from "@tauri-apps/api/core";
import type { AppError, Dataset, Job, MachineStatus, Settings } from "../bindings";

/** What a mocked command returns: a value, or `{ error }` to make it fail with an AppError. */
export type Reply<T> = T | { error: AppError } | (() => T | Promise<T>);

export type BackendOptions = {
  datasets?: Reply<Dataset[]>;
  jobs?: Reply<Job[]>;
  machine?: Reply<MachineStatus>;
  settings?: Reply<Settings>;
  updateSettings?: (settings: Settings) => Settings | { error: AppError };
};

export type Call = { cmd: string; args: InvokeArgs | undefined };

function isErrorReply(value: unknown): value is { error: AppError } {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "error" in value;
}

async function resolveReply<T>(reply: Reply<T>): Promise<T> {
  if (typeof reply === "function") return (reply as () => T | Promise<T>)();
  // A Rust command returning Err(AppError) rejects the invoke promise with the serialized error.
  if (isErrorReply(reply)) throw reply.error;
  return reply;
}

export const machineFixture = (over: Partial<MachineStatus> = {}): MachineStatus => ({
  hostname: "lab-box-01",
  data_root: "/srv/mistudio/data",
  free_bytes: 442_703_754_035, // 412.3 GB
  total_bytes: 1_000_000_000_000,
  jobs_running: 0,
  jobs_queued: 0,
  warning: null,
  ...over,
});

export const datasetFixture = (over: Partial<Dataset> = {}): Dataset => ({
  id: "ds-1",
  name: "roneneldan/TinyStories",
  source: "hugging_face",
  hf_repo_id: "roneneldan/TinyStories",
  hf_config: null,
  hf_split: "train",
  status: "ready",
  num_samples: null,
  size_bytes: null,
  splits: [],
  columns: [],
  text_column: null,
  format: null,
  description: null,
  error: null,
  tokenization_count: 0,
  created_at: 1_700_000_000_000,
  updated_at: 1_700_000_000_000,
  ...over,
});

export const jobFixture = (over: Partial<Job> = {}): Job => ({
  id: "job-1",
  kind: "download",
  target: "ds-1",
  status: "running",
  stage: "downloading",
  progress: { unit: "bytes", done: 10, total: 100, bytes_per_sec: null },
  attempts: 1,
  error: null,
  created_at: 1_700_000_000_000,
  started_at: 1_700_000_000_100,
  finished_at: null,
  updated_at: 1_700_000_001_000,
  ...over,
});

/**
 * Install a fake Tauri backend (IPC + events) and record every command call.
 * Events emitted through `events.*.emit` reach the app's listeners.
 */
export function mockBackend(options: BackendOptions = {}) {
  const calls: Call[] = [];
  let settings: Settings = { data_root: "/srv/mistudio/data", hub_endpoint: "https://huggingface.co" };
  mockWindows("main");
  mockIPC(
    async (cmd, args) => {
      calls.push({ cmd, args });
      switch (cmd) {
        case "list_datasets":
          return resolveReply(options.datasets ?? []);
        case "list_jobs":
          return resolveReply(options.jobs ?? []);
        case "machine_status":
          return resolveReply(options.machine ?? machineFixture());
        case "get_settings":
          return resolveReply(options.settings ?? settings);
        case "update_settings": {
          const next = (args as { settings: Settings }).settings;
          const reply = options.updateSettings ? options.updateSettings(next) : next;
          if (isErrorReply(reply)) throw reply.error;
          settings = reply;
          return reply;
        }
        default:
          throw { kind: "not_found", message: `unknown command ${cmd}` } satisfies AppError;
      }
    },
    { shouldMockEvents: true },
  );
  return {
    calls,
    callsOf: (cmd: string) => calls.filter((c) => c.cmd === cmd),
  };
}
