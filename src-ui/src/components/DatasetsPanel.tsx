import { useCallback, useMemo, useRef, useState } from "react";
import { CheckSquare, RefreshCw, SearchX, Trash2 } from "lucide-react";
import { useRescan } from "../hooks/useRescan";
import { deleteBlocker } from "../lib/dataset";
import { DEFAULT_LIST_OPTIONS, noMatchText, visibleDatasets, type ListOptions } from "../lib/datasetList";
import { liveLockFor } from "../lib/locks";
import { toggled } from "../lib/sets";
import { useDatasetsStore } from "../store/datasets";
import { activeJobFor, useJobsStore } from "../store/jobs";
import { useLocksStore } from "../store/locks";
import { DatasetCard } from "./DatasetCard";
import { DatasetListToolbar } from "./DatasetListToolbar";
import { DatasetModal } from "./detail/DatasetModal";
import { DeleteDatasetsDialog } from "./DeleteDatasetsDialog";
import { DownloadForm } from "./DownloadForm";
import { ImportDropOverlay } from "./ImportDropOverlay";
import { ImportForm, type ImportFormHandle } from "./ImportForm";
import { Button } from "./ui/Button";
import { ErrorBox } from "./ui/ErrorBox";
import { Loading } from "./ui/Loading";

export function DatasetsPanel() {
  const rescan = useRescan();
  const datasets = useDatasetsStore((s) => s.datasets);
  const loading = useDatasetsStore((s) => s.loading);
  const error = useDatasetsStore((s) => s.error);
  const load = useDatasetsStore((s) => s.load);
  const jobs = useJobsStore((s) => s.jobs);
  const locks = useLocksStore((s) => s.locks);
  const [openId, setOpenId] = useState<string | null>(null);
  // The modal shows the live dataset; it closes if the dataset goes away or stops being ready.
  const opened = datasets.find((d) => d.id === openId && d.status === "ready") ?? null;
  const [selecting, setSelecting] = useState(false);
  const [selectedIds, setSelectedIds] = useState<Set<string>>(() => new Set());
  // The datasets the confirm dialog asks about (one card's, or the selection).
  const [toDelete, setToDelete] = useState<string[] | null>(null);

  const [listOptions, setListOptions] = useState<ListOptions>(DEFAULT_LIST_OPTIONS);
  const searchRef = useRef<HTMLInputElement>(null);
  const importRef = useRef<ImportFormHandle>(null);

  const visible = useMemo(() => visibleDatasets(datasets, listOptions), [datasets, listOptions]);
  // A dataset busy on another machine cannot be selected (the engine would refuse it).
  const deletable = visible.filter(
    (d) => deleteBlocker(d, activeJobFor(jobs, d.id), liveLockFor(locks, d.id)) === null,
  );
  // Only what is on screen, still exists and can be deleted counts as selected: a card hidden
  // by the search or a filter must never be deleted without being seen.
  const selected = deletable.filter((d) => selectedIds.has(d.id));
  const selectedSet = new Set(selected.map((d) => d.id));
  const deleting = toDelete === null ? [] : datasets.filter((d) => toDelete.includes(d.id));

  const toggle = (id: string) => setSelectedIds((prev) => toggled(prev, id));
  const clearFilters = () => {
    setListOptions((prev) => ({ ...prev, query: "", status: "all", source: "all" }));
    // The button that was clicked goes away with the empty state; keep focus in the toolbar.
    searchRef.current?.focus();
  };
  const stopSelecting = () => {
    setSelecting(false);
    setSelectedIds(new Set());
  };

  const close = useCallback(() => {
    const id = openId;
    setOpenId(null);
    // Give focus back to the card that opened the dialog.
    if (id !== null) {
      document.querySelector<HTMLElement>(`[data-dataset-id="${CSS.escape(id)}"] [data-testid="dataset-open"]`)?.focus();
    }
  }, [openId]);

  return (
    <section data-testid="datasets-panel" aria-labelledby="datasets-title">
      <div className="mb-8 flex flex-wrap items-start justify-between gap-3">
        <div>
          <h2 id="datasets-title" className="text-2xl font-semibold text-slate-100">
            Datasets
          </h2>
          <p className="text-slate-400">Manage training datasets from HuggingFace or local sources</p>
        </div>
        <div className="flex flex-col items-end gap-1">
          <Button
            size="sm"
            icon={RefreshCw}
            busy={rescan.running}
            spinIcon
            onClick={rescan.rescan}
            disabled={rescan.running}
            data-testid="datasets-rescan"
            title="Look in the data folder for datasets and tokenizations made or deleted on another machine"
          >
            {rescan.running ? "Rescanning…" : "Rescan data folder"}
          </Button>
          <p role="status" className="text-xs text-slate-500" data-testid="datasets-rescan-status">
            {rescan.message ?? ""}
          </p>
        </div>
      </div>
      {rescan.error && (
        <ErrorBox className="mb-6" title="Could not rescan the data folder" error={rescan.error} onRetry={rescan.rescan} />
      )}

      <DownloadForm />
      <ImportForm ref={importRef} />
      <ImportDropOverlay onDrop={(paths) => importRef.current?.fillFromDrop(paths)} />

      {error && (
        <ErrorBox
          className="mb-6"
          title="Could not load datasets"
          error={error}
          onRetry={() => void load()}
        />
      )}

      {loading ? (
        <Loading size="page">Loading datasets…</Loading>
      ) : datasets.length === 0 ? (
        !error && (
          <div className="py-12 text-center" data-testid="datasets-empty">
            <p className="text-lg text-slate-400">No datasets yet</p>
            <p className="mt-2 text-slate-500">Datasets you download or import will appear here.</p>
          </div>
        )
      ) : (
        <div>
          <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
            <h3 className="text-lg font-semibold text-slate-100">Your Datasets ({datasets.length})</h3>
            {!selecting && (
              <Button size="sm" icon={CheckSquare} onClick={() => setSelecting(true)} data-testid="datasets-select">
                Select
              </Button>
            )}
          </div>
          <DatasetListToolbar
            options={listOptions}
            onChange={setListOptions}
            total={datasets.length}
            shown={visible.length}
            onClearFilters={clearFilters}
            searchRef={searchRef}
          />
          {selecting && (
            <div
              className="mb-4 flex flex-wrap items-center justify-between gap-3 rounded-lg border border-slate-700 bg-slate-900 px-4 py-3"
              role="toolbar"
              aria-label="Selection"
              data-testid="datasets-selection-bar"
            >
              <span className="text-sm text-slate-300" data-testid="datasets-selected-count">
                {selected.length} selected
              </span>
              <div className="flex flex-wrap items-center gap-2">
                <Button
                  size="sm"
                  onClick={() => setSelectedIds(new Set(deletable.map((d) => d.id)))}
                  disabled={deletable.length === 0}
                  data-testid="datasets-select-all"
                >
                  Select all
                </Button>
                <Button
                  variant="danger"
                  size="sm"
                  icon={Trash2}
                  onClick={() => setToDelete(selected.map((d) => d.id))}
                  disabled={selected.length === 0}
                  data-testid="datasets-delete-selected"
                >
                  Delete {selected.length} {selected.length === 1 ? "dataset" : "datasets"}
                </Button>
                <Button size="sm" onClick={stopSelecting} data-testid="datasets-select-cancel">
                  Cancel
                </Button>
              </div>
            </div>
          )}
          {visible.length === 0 ? (
            <div className="py-12 text-center" data-testid="datasets-no-match">
              <SearchX className="mx-auto mb-3 h-8 w-8 text-slate-500" aria-hidden="true" />
              <p className="text-lg text-slate-400">{noMatchText(listOptions)}</p>
              <Button size="sm" className="mt-4" onClick={clearFilters} data-testid="datasets-clear-filters">
                Clear filters
              </Button>
            </div>
          ) : (
            <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
              {visible.map((dataset) => (
                <DatasetCard
                  key={dataset.id}
                  dataset={dataset}
                  job={activeJobFor(jobs, dataset.id)}
                  onOpen={() => setOpenId(dataset.id)}
                  onDelete={() => setToDelete([dataset.id])}
                  selection={selecting ? { selected: selectedSet.has(dataset.id), onToggle: () => toggle(dataset.id) } : undefined}
                />
              ))}
            </div>
          )}
        </div>
      )}

      {opened && <DatasetModal key={opened.id} dataset={opened} onClose={close} />}
      {deleting.length > 0 && (
        <DeleteDatasetsDialog
          datasets={deleting}
          onCancel={() => setToDelete(null)}
          onDeleted={() => {
            setToDelete(null);
            stopSelecting();
          }}
        />
      )}
    </section>
  );
}
