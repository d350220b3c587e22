import { mockIPC, mockWindows } from "@tauri-apps/api/mocks";
import type { InvokeArgs } from "@tauri-apps/api/core";
import type {
  AppError,
  Dataset,
  DownloadRequest,
  Job,
  MachineStatus,
  RepoInspection,
  Settings,
} from "../bindings";

/** What a mocked command returns: a value, or `{ error }` to make it fail with an AppError. */
export type Reply<T> = T | { error: AppError } | (() => T | Promise<T>);

export type BackendOptions = {
  datasets?: Reply<Dataset[]>;
  jobs?: Reply<Job[]>;
  machine?: Reply<MachineStatus>;
  settings?: Reply<Settings>;
  updateSettings?: (settings: Settings) => Settings | { error: AppError };
  /** Answer to `inspect_dataset_repo`; defaults to {@link inspectionFixture} for the asked repo. */
  inspect?: (repoId: string, token: string | null, revision: string | null) => Reply<RepoInspection>;
  /** Answer to `start_download`; defaults to a queued dataset for the requested repo. */
  startDownload?: (request: DownloadRequest) => Reply<Dataset>;
  /** Answer to `retry_dataset`; defaults to the dataset queued again. */
  retryDataset?: (id: string) => Reply<Dataset>;
  /** Answer to `cancel_job`; defaults to the job cancelled. */
  cancelJob?: (id: string) => Reply<Job>;
};

export type Call = { cmd: string; args: InvokeArgs | undefined };

/** `{ error }` and nothing else (a Dataset or Job also has an `error` field). */
function isErrorReply(value: unknown): value is { error: AppError } {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    "error" in value &&
    Object.keys(value).length === 1
  );
}

async function resolveReply<T>(reply: Reply<T>): Promise<T> {
  const value = typeof reply === "function" ? await (reply as () => T | Promise<T>)() : reply;
  // A Rust command returning Err(AppError) rejects the invoke promise with the serialized error.
  if (isErrorReply(value)) throw value.error;
  return value;
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

const GB = 1024 ** 3;

export const inspectionFixture = (over: Partial<RepoInspection> = {}): RepoInspection => ({
  repo_id: "roneneldan/TinyStories",
  sha: "0123456789abcdef0123456789abcdef01234567",
  gated: false,
  private: false,
  description: "Short stories for small language models.",
  source: "card",
  configs: [
    {
      name: "default",
      default: true,
      splits: [
        { name: "train", size_bytes: 1.2 * GB, files: [] },
        { name: "validation", size_bytes: 12 * 1024 ** 2, files: [] },
      ],
    },
    {
      name: "en",
      default: false,
      splits: [{ name: "test", size_bytes: 2048, files: [] }],
    },
    { name: "zh", default: false, splits: [] },
  ],
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
        case "inspect_dataset_repo": {
          const { repoId, token, revision } = args as {
            repoId: string;
            token: string | null;
            revision: string | null;
          };
          return resolveReply(
            options.inspect ? options.inspect(repoId, token, revision) : inspectionFixture({ repo_id: repoId }),
          );
        }
        case "start_download": {
          const { request } = args as { request: DownloadRequest };
          return resolveReply(
            options.startDownload
              ? options.startDownload(request)
              : datasetFixture({
                  id: "ds-new",
                  name: request.repo_id,
                  hf_repo_id: request.repo_id,
                  hf_config: request.config,
                  hf_split: request.split,
                  status: "queued",
                }),
          );
        }
        case "retry_dataset": {
          const { id } = args as { id: string };
          return resolveReply(
            options.retryDataset ? options.retryDataset(id) : datasetFixture({ id, status: "queued", error: null }),
          );
        }
        case "cancel_job": {
          const { id } = args as { id: string };
          return resolveReply(
            options.cancelJob
              ? options.cancelJob(id)
              : jobFixture({ id, status: "cancelled", finished_at: 1_800_000_000_000, updated_at: 1_800_000_000_000 }),
          );
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
