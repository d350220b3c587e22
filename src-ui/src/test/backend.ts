import { mockIPC, mockWindows } from "@tauri-apps/api/mocks";
import type { InvokeArgs } from "@tauri-apps/api/core";
import { importNameFromPath } from "../lib/importPath";
import { DEFAULT_SETTINGS } from "../lib/tokenize";
import type {
  AppError,
  DataLock,
  Dataset,
  DatasetStorage,
  DeleteReport,
  DownloadPlan,
  DownloadRequest,
  ImportRequest,
  RescanReport,
  Job,
  MachineStatus,
  Packing,
  RepoInspection,
  RowTokensQuery,
  SamplesPage,
  SamplesQuery,
  Settings,
  Statistics,
  TextStatistics,
  Tokenization,
  Tokenizer,
  TokenizePreset,
  TokenizePreview,
  TokenizeRequest,
  TokenizeSettings,
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
  /** Answer to `plan_download`; defaults to {@link planFixture}. */
  planDownload?: (request: DownloadRequest) => Reply<DownloadPlan>;
  /** Answer to `start_download`; defaults to a queued dataset for the requested repo. */
  startDownload?: (request: DownloadRequest) => Reply<Dataset>;
  /** Answer to `start_import`; defaults to a queued local dataset named as the engine would. */
  startImport?: (request: ImportRequest) => Reply<Dataset>;
  rescan?: () => Reply<RescanReport>;
  /** Answer to `retry_dataset`; defaults to the dataset queued again. */
  retryDataset?: (id: string) => Reply<Dataset>;
  /** Answer to `cancel_job`; defaults to the job cancelled. */
  cancelJob?: (id: string) => Reply<Job>;
  /** The tokenizer library; defaults to none. */
  tokenizers?: Reply<Tokenizer[]>;
  /** A dataset's tokenizations; defaults to none. */
  tokenizations?: (datasetId: string) => Reply<Tokenization[]>;
  /** The presets to start with; save and delete then change them like the engine does. */
  presets?: TokenizePreset[];
  savePreset?: (name: string, settings: TokenizeSettings) => Reply<TokenizePreset[]>;
  deletePreset?: (name: string) => Reply<TokenizePreset[]>;
  /** Answer to `preview_tokenization`; defaults to {@link previewFixture} of the text. */
  preview?: (tokenizerId: string, settings: TokenizeSettings, text: string) => Reply<TokenizePreview>;
  /** Answer to `start_tokenization`; defaults to a queued tokenization. */
  startTokenization?: (request: TokenizeRequest) => Reply<Tokenization>;
  deleteTokenization?: (id: string) => Reply<null>;
  addTokenizerHub?: (repoId: string, revision: string | null, token: string | null) => Reply<Tokenizer>;
  addTokenizerFile?: (path: string, name: string | null) => Reply<Tokenizer>;
  deleteTokenizer?: (id: string) => Reply<null>;
  /** Answer to `list_samples`; defaults to an empty page. */
  listSamples?: (query: SamplesQuery) => Reply<SamplesPage>;
  /** Answer to `row_tokens`; defaults to {@link previewFixture} of "Row INDEX of SPLIT". */
  rowTokens?: (query: RowTokensQuery) => Reply<TokenizePreview>;
  /** Answer to `delete_datasets`; defaults to all of them deleted, nothing freed. */
  deleteDatasets?: (ids: string[], hubFiles: boolean) => Reply<DeleteReport>;
  /** What the native file picker returns (`plugin:dialog|open`); defaults to cancelled (null). */
  dialogOpen?: (options: unknown) => Reply<string | null>;
  /** Answer to `text_statistics`; defaults to {@link textStatisticsFixture} of the split. */
  textStatistics?: (datasetId: string, split: string | null) => Reply<TextStatistics>;
  /** Answer to `dataset_storage`; defaults to {@link storageFixture}. */
  datasetStorage?: (datasetId: string) => Reply<DatasetStorage>;
  /** Answer to `data_locks` (locks other processes hold); defaults to none. */
  dataLocks?: Reply<DataLock[]>;
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
  kind: "dataset.download",
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
        { name: "train", size_bytes: 1.2 * GB, files: [], num_rows: null },
        { name: "validation", size_bytes: 12 * 1024 ** 2, files: [], num_rows: null },
      ],
    },
    {
      name: "en",
      default: false,
      splits: [{ name: "test", size_bytes: 2048, files: [], num_rows: null }],
    },
    { name: "zh", default: false, splits: [] },
  ],
  ...over,
});

/** A ready dataset with splits, columns and a description, as after a real download. */
export const planFixture = (over: Partial<DownloadPlan> = {}): DownloadPlan => ({
  repo_id: "roneneldan/TinyStories",
  revision: "0123456789abcdef0123456789abcdef01234567",
  config: "default",
  splits: [
    {
      name: "train",
      files: [],
      split_files: 40,
      num_rows: 1_000,
      split_rows: 2_000_000,
      row_limit: 1_000,
      upper_bound: false,
    },
  ],
  num_files: 1,
  total_bytes: 300 * 1024 ** 2,
  num_rows: 1_000,
  download_bytes: 300 * 1024 ** 2,
  download_peak_bytes: 300 * 1024 ** 2,
  conversion_bytes: 900 * 1024 ** 2,
  tokenization_bytes: 450 * 1024 ** 2,
  needed_bytes: 1650 * 1024 ** 2,
  free_bytes: 40 * GB,
  cache_free_bytes: null,
  keep_hub_files: true,
  subset: true,
  upper_bound: false,
  ...over,
});

export const readyDatasetFixture = (over: Partial<Dataset> = {}): Dataset =>
  datasetFixture({
    id: "ds-1",
    name: "TinyStories",
    hf_repo_id: "roneneldan/TinyStories",
    hf_config: "default",
    hf_split: null,
    status: "ready",
    num_samples: 10_000,
    size_bytes: 2.3 * GB,
    splits: [
      { name: "train", num_rows: 9_000 },
      { name: "test", num_rows: 1_000 },
    ],
    columns: [
      { name: "text", data_type: "string" },
      { name: "id", data_type: "int64" },
      { name: "title", data_type: "large_string" },
    ],
    text_column: "text",
    format: "jsonl",
    description: "Short stories for small language models.",
    tokenization_count: 0,
    ...over,
  });

export const tokenizerFixture = (over: Partial<Tokenizer> = {}): Tokenizer => ({
  id: "tk_gpt2",
  name: "openai-community/gpt2",
  source: "hugging_face",
  hf_repo_id: "openai-community/gpt2",
  hf_revision: "607a30d783dfa663caf39e06633721c8d4cfcd7e",
  file_name: null,
  vocab_size: 50257,
  sha256: "a".repeat(64),
  special_tokens: {
    bos: { id: 50256, content: "<|endoftext|>" },
    eos: { id: 50256, content: "<|endoftext|>" },
    pad: null,
    unk: null,
  },
  created_at: 1_700_000_000_000,
  updated_at: 1_700_000_000_000,
  ...over,
});

export const statisticsFixture = (over: Partial<Statistics> = {}): Statistics => ({
  num_samples: 10_000,
  num_rows: 10_250,
  num_tokens: 4_987_654,
  num_padding_tokens: 0,
  padding_overhead: 0,
  truncated: 1_234,
  overflow_rows: 250,
  filtered_short: 0,
  filtered_long: 0,
  null_samples: 0,
  dropped_tokens: 0,
  seq_len: { min: 3, max: 512, mean: 486.6, median: 487, p90: 505, p99: 512 },
  histogram: [
    { start: 0, end: 100, count: 150 },
    { start: 100, end: 200, count: 450 },
    { start: 200, end: 300, count: 2_100 },
    { start: 300, end: 400, count: 3_800 },
    { start: 400, end: 500, count: 2_200 },
    { start: 500, end: 600, count: 1_550 },
  ],
  sample_len: { min: 3, max: 2_048, mean: 523.4, median: 498, p90: 900, p99: 1_800 },
  sample_histogram: [
    { start: 0, end: 500, count: 5_000 },
    { start: 500, end: 1_000, count: 4_000 },
    { start: 1_000, end: 1_500, count: 800 },
    { start: 1_500, end: 2_000, count: 150 },
    { start: 2_000, end: 2_500, count: 50 },
  ],
  unique_tokens: 31_415,
  vocab_size: 50_257,
  unknown_tokens: 0,
  top_tokens: [
    { id: 262, piece: " the", count: 250_000 },
    { id: 13, piece: ".", count: 180_000 },
    { id: 11, piece: ",", count: 170_000 },
    { id: 198, piece: "\n", count: 90_000 },
    { id: 50256, piece: "<|endoftext|>", count: 10_000 },
  ],
  splits: [
    { name: "train", num_samples: 9_000, num_rows: 9_225, num_tokens: 4_488_888 },
    { name: "test", num_samples: 1_000, num_rows: 1_025, num_tokens: 498_766 },
  ],
  ...over,
});

/** Packed settings: SAELens's tokens (BOS at each row and between documents) in rows of 1,024. */
export const packingFixture = (over: Partial<Packing> = {}): Packing => ({
  context_size: 1024,
  begin_batch_token: { kind: "bos" },
  begin_sequence_token: { kind: "none" },
  sequence_separator_token: { kind: "bos" },
  disable_concat_sequences: false,
  document_end_token: { kind: "none" },
  ...over,
});

export const tokenizationFixture = (over: Partial<Tokenization> = {}): Tokenization => ({
  id: "tok_1",
  dataset_id: "ds-1",
  tokenizer_id: "tk_gpt2",
  status: "ready",
  settings: { ...DEFAULT_SETTINGS, text_column: "text" },
  statistics: null,
  num_tokens: null,
  size_bytes: null,
  error: null,
  created_at: 1_700_000_100_000,
  updated_at: 1_700_000_200_000,
  ...over,
});

/** Characters and words per row of every split of {@link readyDatasetFixture}. */
export const textStatisticsFixture = (over: Partial<TextStatistics> = {}): TextStatistics => ({
  split: null,
  text_column: "text",
  num_rows: 10_000,
  null_rows: 3,
  empty_rows: 12,
  total_chars: 8_765_432,
  total_words: 1_654_321,
  chars: { min: 0, max: 9_876, mean: 876.5, median: 812, p90: 1_540, p99: 3_210 },
  chars_histogram: [
    { start: 0, end: 500, count: 2_400 },
    { start: 500, end: 1_000, count: 4_100 },
    { start: 1_000, end: 1_500, count: 2_300 },
    { start: 1_500, end: 2_000, count: 900 },
    { start: 2_000, end: 10_000, count: 300 },
  ],
  words: { min: 0, max: 1_843, mean: 165.4, median: 151, p90: 290, p99: 611 },
  words_histogram: [
    { start: 0, end: 100, count: 2_600 },
    { start: 100, end: 200, count: 4_300 },
    { start: 200, end: 300, count: 2_200 },
    { start: 300, end: 2_000, count: 900 },
  ],
  ...over,
});

/** A live lock another machine holds on `ds-1` while tokenizing it. */
export const lockFixture = (over: Partial<DataLock> = {}): DataLock => ({
  dataset_id: "ds-1",
  host: "jetson-01",
  pid: 4242,
  purpose: "tokenizing with gpt2",
  started_at: new Date(2026, 2, 3, 14, 3).getTime(), // 3 Mar 2026, 14:03 local time
  heartbeat_at: new Date(2026, 2, 3, 14, 5).getTime(),
  same_machine: false,
  stale: null,
  ...over,
});

/** Bytes on disk of a Hub dataset with one tokenization. */
export const storageFixture = (over: Partial<DatasetStorage> = {}): DatasetStorage => ({
  raw_cache_bytes: 1_288_490_189, // 1.2 GB
  canonical_bytes: 1_073_741_824, // 1 GB
  tokenizations: [{ tokenization_id: "tok_1", tokenizer_id: "tk_gpt2", bytes: 209_715_200 }], // 200 MB
  other_bytes: 52_428, // 51.2 KB
  hub_revision: "0123456789abcdef0123456789abcdef01234567",
  ...over,
});

/**
 * A preview as a GPT-2-like tokenizer would give it: words with their leading space, ids
 * counted from 100, one row.
 */
export const previewFixture = (text: string): TokenizePreview => {
  const pieces = text.match(/\s*\S+|\s+/g) ?? [];
  const tokens = pieces.map((piece, i) => ({ id: 100 + i, piece, special: false, padding: false }));
  return {
    rows: tokens.length > 0 ? [{ tokens, overflow: false }] : [],
    total_rows: tokens.length > 0 ? 1 : 0,
    num_tokens: tokens.length,
    text_tokens: tokens.length,
    truncated: false,
    remainder_tokens: 0,
  };
};

/**
 * Install a fake Tauri backend (IPC + events) and record every command call.
 * Events emitted through `events.*.emit` reach the app's listeners.
 */
export function mockBackend(options: BackendOptions = {}) {
  const calls: Call[] = [];
  let presets: TokenizePreset[] = [...(options.presets ?? [])];
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
        case "plan_download": {
          const { request } = args as { request: DownloadRequest };
          return resolveReply(options.planDownload ? options.planDownload(request) : planFixture());
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
        case "rescan":
          return resolveReply(options.rescan ? options.rescan() : { added: [], updated: [], removed: [] });
        case "start_import": {
          const { request } = args as { request: ImportRequest };
          return resolveReply(
            options.startImport
              ? options.startImport(request)
              : datasetFixture({
                  id: "ds-import",
                  name: request.name ?? importNameFromPath(request.path),
                  source: "local",
                  hf_repo_id: null,
                  hf_split: null,
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
        case "list_tokenizers":
          return resolveReply(options.tokenizers ?? []);
        case "list_tokenizations": {
          const { datasetId } = args as { datasetId: string };
          return resolveReply(options.tokenizations ? options.tokenizations(datasetId) : []);
        }
        case "list_tokenize_presets":
          return presets;
        case "save_tokenize_preset": {
          const { name, settings: s } = args as { name: string; settings: TokenizeSettings };
          if (options.savePreset) return resolveReply(options.savePreset(name, s));
          presets = [...presets.filter((p) => p.name !== name), { name, settings: s }].sort((a, b) =>
            a.name.toLowerCase().localeCompare(b.name.toLowerCase()),
          );
          return presets;
        }
        case "delete_tokenize_preset": {
          const { name } = args as { name: string };
          if (options.deletePreset) return resolveReply(options.deletePreset(name));
          presets = presets.filter((p) => p.name !== name);
          return presets;
        }
        case "preview_tokenization": {
          const { tokenizerId, settings: s, text } = args as {
            tokenizerId: string;
            settings: TokenizeSettings;
            text: string;
          };
          return resolveReply(options.preview ? options.preview(tokenizerId, s, text) : previewFixture(text));
        }
        case "start_tokenization": {
          const { request } = args as { request: TokenizeRequest };
          return resolveReply(
            options.startTokenization
              ? options.startTokenization(request)
              : tokenizationFixture({
                  id: "tok_new",
                  dataset_id: request.dataset_id,
                  tokenizer_id: request.tokenizer_id,
                  settings: request.settings,
                  status: "queued",
                }),
          );
        }
        case "delete_tokenization": {
          const { id } = args as { id: string };
          return resolveReply(options.deleteTokenization ? options.deleteTokenization(id) : null);
        }
        case "add_tokenizer_hub": {
          const { repoId, revision, token } = args as { repoId: string; revision: string | null; token: string | null };
          return resolveReply(
            options.addTokenizerHub
              ? options.addTokenizerHub(repoId, revision, token)
              : tokenizerFixture({ id: "tk_new", name: repoId, hf_repo_id: repoId }),
          );
        }
        case "add_tokenizer_file": {
          const { path, name } = args as { path: string; name: string | null };
          return resolveReply(
            options.addTokenizerFile
              ? options.addTokenizerFile(path, name)
              : tokenizerFixture({
                  id: "tk_file",
                  name: name ?? "tokenizer",
                  source: "local",
                  hf_repo_id: null,
                  hf_revision: null,
                  file_name: path.split("/").pop() ?? path,
                }),
          );
        }
        case "delete_tokenizer": {
          const { id } = args as { id: string };
          return resolveReply(options.deleteTokenizer ? options.deleteTokenizer(id) : null);
        }
        case "list_samples": {
          const { query } = args as { query: SamplesQuery };
          return resolveReply(
            options.listSamples
              ? options.listSamples(query)
              : { total: 0, offset: query.offset, samples: [], text_column: "text" },
          );
        }
        case "row_tokens": {
          const { query } = args as { query: RowTokensQuery };
          return resolveReply(
            options.rowTokens ? options.rowTokens(query) : previewFixture(`Row ${query.index} of ${query.split}`),
          );
        }
        case "delete_datasets": {
          const { ids, hubFiles } = args as { ids: string[]; hubFiles: boolean };
          return resolveReply(
            options.deleteDatasets ? options.deleteDatasets(ids, hubFiles) : { deleted: ids, freed_bytes: 0 },
          );
        }
        case "plugin:dialog|open": {
          const { options: dialogOptions } = args as { options: unknown };
          return resolveReply(options.dialogOpen ? options.dialogOpen(dialogOptions) : null);
        }
        case "text_statistics": {
          const { datasetId, split } = args as { datasetId: string; split: string | null };
          return resolveReply(
            options.textStatistics ? options.textStatistics(datasetId, split) : textStatisticsFixture({ split }),
          );
        }
        case "dataset_storage": {
          const { datasetId } = args as { datasetId: string };
          return resolveReply(options.datasetStorage ? options.datasetStorage(datasetId) : storageFixture());
        }
        case "data_locks":
          return resolveReply(options.dataLocks ?? []);
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
