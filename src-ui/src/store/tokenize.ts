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
import { call, toAppError } from "../lib/api";
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

// Only the newest request of each kind may write, so a slow old answer cannot overwrite a
// fresher one.
let tokenizersSeq = 0;
let presetsSeq = 0;
const tokenizationsSeq = new Map<string, number>();

export const EMPTY_TOKENIZATIONS: DatasetTokenizations = { items: [], loaded: false, error: null };

export const useTokenizeStore = create<TokenizeState>()((set) => ({
  ...initial,

  loadTokenizers: async () => {
    const seq = ++tokenizersSeq;
    try {
      const tokenizers = await call(commands.listTokenizers());
      if (seq !== tokenizersSeq) return;
      set({ tokenizers, tokenizersLoaded: true, tokenizersError: null });
    } catch (e) {
      if (seq !== tokenizersSeq) return;
      set({ tokenizersError: toAppError(e), tokenizersLoaded: true });
    }
  },

  loadPresets: async () => {
    const seq = ++presetsSeq;
    try {
      const presets = await call(commands.listTokenizePresets());
      if (seq !== presetsSeq) return;
      set({ presets, presetsLoaded: true, presetsError: null });
    } catch (e) {
      if (seq !== presetsSeq) return;
      set({ presetsError: toAppError(e), presetsLoaded: true });
    }
  },

  setPresets: (presets) => {
    presetsSeq += 1;
    set({ presets, presetsLoaded: true, presetsError: null });
  },

  loadTokenizations: async (datasetId) => {
    const seq = (tokenizationsSeq.get(datasetId) ?? 0) + 1;
    tokenizationsSeq.set(datasetId, seq);
    const write = (patch: Partial<DatasetTokenizations>) =>
      set((state) => ({
        byDataset: {
          ...state.byDataset,
          [datasetId]: { ...(state.byDataset[datasetId] ?? EMPTY_TOKENIZATIONS), ...patch },
        },
      }));
    try {
      const items = await call(commands.listTokenizations(datasetId));
      if (seq !== tokenizationsSeq.get(datasetId)) return;
      write({ items, loaded: true, error: null });
    } catch (e) {
      if (seq !== tokenizationsSeq.get(datasetId)) return;
      write({ error: toAppError(e), loaded: true });
    }
  },

  reset: () => {
    tokenizersSeq += 1;
    presetsSeq += 1;
    tokenizationsSeq.clear();
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
