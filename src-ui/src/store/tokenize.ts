import { create } from "zustand";
import {
  commands,
  events,
  type AppError,
  type Job,
  type JobKind,
  type Tokenization,
  type Tokenizer,
  type TokenizePreset,
} from "../bindings";
import { call } from "../lib/api";
import { latestRequest, type LatestRequest } from "../lib/latestRequest";
import { isActiveJob } from "./jobs";
import { listenSafely } from "./listen";

export const TOKENIZE_JOB_KIND: JobKind = "dataset.tokenize";

export type DatasetTokenizations = {
  items: Tokenization[];
  loaded: boolean;
  error: AppError | null;
};

export type TokenizeState = {
  tokenizers: Tokenizer[];
  tokenizersLoaded: boolean;
  tokenizersError: AppError | null;
  presets: TokenizePreset[];
  presetsLoaded: boolean;
  presetsError: AppError | null;
  /** Tokenizations of the datasets opened so far, by dataset id (kept current from events). */
  byDataset: Record<string, DatasetTokenizations>;
  loadTokenizers: () => Promise<void>;
  loadPresets: () => Promise<void>;
  /** Replace the presets with a list the engine returned (after save or delete). */
  setPresets: (presets: TokenizePreset[]) => void;
  loadTokenizations: (datasetId: string) => Promise<void>;
  reset: () => void;
};

const initial = {
  tokenizers: [],
  tokenizersLoaded: false,
  tokenizersError: null,
  presets: [],
  presetsLoaded: false,
  presetsError: null,
  byDataset: {},
} satisfies Partial<TokenizeState>;

const tokenizersRequest = latestRequest();
const presetsRequest = latestRequest();
// Each dataset's list is asked on its own: a newer answer for one dataset must not drop another's.
const tokenizationsRequests = new Map<string, LatestRequest>();

function tokenizationsRequest(datasetId: string): LatestRequest {
  let request = tokenizationsRequests.get(datasetId);
  if (!request) {
    request = latestRequest();
    tokenizationsRequests.set(datasetId, request);
  }
  return request;
}

export const EMPTY_TOKENIZATIONS: DatasetTokenizations = { items: [], loaded: false, error: null };

export const useTokenizeStore = create<TokenizeState>()((set) => ({
  ...initial,

  loadTokenizers: () =>
    tokenizersRequest.run(
      call(commands.listTokenizers()),
      (tokenizers) => set({ tokenizers, tokenizersLoaded: true, tokenizersError: null }),
      (error) => set({ tokenizersError: error, tokenizersLoaded: true }),
    ),

  loadPresets: () =>
    presetsRequest.run(
      call(commands.listTokenizePresets()),
      (presets) => set({ presets, presetsLoaded: true, presetsError: null }),
      (error) => set({ presetsError: error, presetsLoaded: true }),
    ),

  setPresets: (presets) => {
    // The engine's list after a save or delete is newer than any list still being loaded.
    presetsRequest.drop();
    set({ presets, presetsLoaded: true, presetsError: null });
  },

  loadTokenizations: (datasetId) => {
    const write = (patch: Partial<DatasetTokenizations>) =>
      set((state) => ({
        byDataset: {
          ...state.byDataset,
          [datasetId]: { ...(state.byDataset[datasetId] ?? EMPTY_TOKENIZATIONS), ...patch },
        },
      }));
    return tokenizationsRequest(datasetId).run(
      call(commands.listTokenizations(datasetId)),
      (items) => write({ items, loaded: true, error: null }),
      (error) => write({ error, loaded: true }),
    );
  },

  reset: () => {
    tokenizersRequest.drop();
    presetsRequest.drop();
    for (const request of tokenizationsRequests.values()) request.drop();
    tokenizationsRequests.clear();
    set({ ...initial });
  },
}));

/** The queued or running job making tokenization `id`, if any. */
export function tokenizeJobFor(jobs: Record<string, Job>, id: string): Job | null {
  let best: Job | null = null;
  for (const job of Object.values(jobs)) {
    if (job.kind !== TOKENIZE_JOB_KIND || job.target !== id || !isActiveJob(job)) continue;
    if (best === null || job.updated_at > best.updated_at) best = job;
  }
  return best;
}

/**
 * Reload what the engine says changed: a dataset's tokenizations (only for datasets already
 * shown) and the tokenizer library (once it was loaded). Returns a function that stops.
 */
export function startTokenizeSync(): () => void {
  const stopTokenizations = listenSafely(events.tokenizationsChanged, ({ dataset_id }) => {
    const state = useTokenizeStore.getState();
    if (state.byDataset[dataset_id]) void state.loadTokenizations(dataset_id);
  });
  const stopTokenizers = listenSafely(events.tokenizersChanged, () => {
    const state = useTokenizeStore.getState();
    if (state.tokenizersLoaded) void state.loadTokenizers();
  });
  return () => {
    stopTokenizations();
    stopTokenizers();
  };
}

/**
 * A tokenize job stopped: reload the list holding its tokenization. The engine also says so
 * with `tokenizations-changed`; this keeps the list right if that event is missed.
 */
export function noteTokenizeJob(job: Job): void {
  if (job.kind !== TOKENIZE_JOB_KIND || isActiveJob(job) || job.target === null) return;
  const state = useTokenizeStore.getState();
  for (const [datasetId, entry] of Object.entries(state.byDataset)) {
    if (entry.items.some((t) => t.id === job.target)) void state.loadTokenizations(datasetId);
  }
}
