import { useEffect, useId, useRef, useState, type KeyboardEvent, type MouseEvent } from "react";
import { Lock, Trash2 } from "lucide-react";
import type { Dataset } from "../../bindings";
import { datasetSubtitle, deleteBlocker } from "../../lib/dataset";
import { lockDescription, lockNotice } from "../../lib/locks";
import { activeJobFor, useJobsStore } from "../../store/jobs";
import { useDatasetLock } from "../../store/locks";
import { OverviewTab } from "./OverviewTab";
import { SamplesTab } from "../samples/SamplesTab";
import { DeleteDatasetsDialog } from "../DeleteDatasetsDialog";
import { TokenizationTab } from "../tokenize/TokenizationTab";
import { StatisticsTab } from "../statistics/StatisticsTab";
import { trapTab } from "../../hooks/focusTrap";
import { CloseButton } from "../ui/Button";

type Props = {
  dataset: Dataset;
  onClose: () => void;
};

const TABS = [
  { key: "overview", label: "Overview" },
  { key: "samples", label: "Samples" },
  { key: "tokenization", label: "Tokenization" },
  { key: "statistics", label: "Statistics" },
] as const;

type TabKey = (typeof TABS)[number]["key"];

/**
 * The detail view of a ready dataset: the mock's max-w-6xl slate-900 box with the name, size and
 * sample count, and its tabs. Closes with the X, Escape or a click on the backdrop.
 */
export function DatasetModal({ dataset, onClose }: Props) {
  const titleId = useId();
  const tabsId = useId();
  const [tab, setTab] = useState<TabKey>("overview");
  // Samples are read from disk only once their tab was opened; then it stays mounted.
  const [samplesSeen, setSamplesSeen] = useState(false);
  // Statistics measure the whole text column the first time: only once the tab is opened.
  const [statisticsSeen, setStatisticsSeen] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const closeRef = useRef<HTMLButtonElement>(null);
  const dialogRef = useRef<HTMLDivElement>(null);
  const tabRefs = useRef<Record<TabKey, HTMLButtonElement | null>>({
    overview: null,
    samples: null,
    tokenization: null,
    statistics: null,
  });
  // A click closes only when it both starts and ends on the backdrop (not a drag out of a field).
  const downOnBackdrop = useRef(false);

  useEffect(() => {
    closeRef.current?.focus();
  }, []);

  // Escape anywhere closes, unless something inside (a confirm dialog, a menu) handled it.
  useEffect(() => {
    const onKeyDown = (e: globalThis.KeyboardEvent) => {
      if (e.key === "Escape" && !e.defaultPrevented) {
        e.preventDefault();
        onClose();
      }
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, [onClose]);

  const onBackdropMouseDown = (e: MouseEvent<HTMLDivElement>) => {
    downOnBackdrop.current = e.target === e.currentTarget;
  };
  const onBackdropClick = (e: MouseEvent<HTMLDivElement>) => {
    if (downOnBackdrop.current && e.target === e.currentTarget) onClose();
    downOnBackdrop.current = false;
  };

  const selectTab = (key: TabKey) => {
    if (key === "samples") setSamplesSeen(true);
    if (key === "statistics") setStatisticsSeen(true);
    setTab(key);
  };

  const onTabKeyDown = (e: KeyboardEvent<HTMLButtonElement>) => {
    const index = TABS.findIndex((t) => t.key === tab);
    let next: number | null = null;
    if (e.key === "ArrowRight") next = (index + 1) % TABS.length;
    else if (e.key === "ArrowLeft") next = (index - 1 + TABS.length) % TABS.length;
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = TABS.length - 1;
    if (next === null) return;
    e.preventDefault();
    const key = TABS[next]?.key ?? "overview";
    selectTab(key);
    tabRefs.current[key]?.focus();
  };

  const subtitle = datasetSubtitle(dataset);
  const lock = useDatasetLock(dataset.id);
  const job = useJobsStore((s) => activeJobFor(s.jobs, dataset.id));
  const deleteBlocked = deleteBlocker(dataset, job, lock);

  return (
    <div
      className="fixed inset-0 z-50 flex items-center justify-center bg-black/50 p-4"
      onMouseDown={onBackdropMouseDown}
      onClick={onBackdropClick}
      data-testid="dataset-modal-backdrop"
    >
      <div
        ref={dialogRef}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        onKeyDown={(e) => trapTab(e, dialogRef.current)}
        data-testid="dataset-modal"
        className="flex max-h-[90vh] w-full max-w-6xl flex-col rounded-lg bg-slate-900 shadow-xl"
      >
        <div className="flex items-start justify-between gap-4 border-b border-slate-800 p-6">
          <div className="min-w-0">
            <h2 id={titleId} className="truncate text-2xl font-bold text-slate-100" title={dataset.name}>
              {dataset.name}
            </h2>
            {subtitle && (
              <p className="text-slate-400" data-testid="dataset-modal-subtitle">
                {subtitle}
              </p>
            )}
          </div>
          <div className="flex shrink-0 items-center gap-1">
            {/* A disabled button shows no tooltip in WebKit: the wrapper carries it. */}
            <span title={deleteBlocked ?? "Delete this dataset"}>
              <button
                type="button"
                onClick={() => setConfirmDelete(true)}
                disabled={deleteBlocked !== null}
                aria-description={deleteBlocked ?? undefined}
                data-testid="dataset-modal-delete"
                className="inline-flex items-center gap-1.5 rounded px-3 py-2 text-sm text-slate-400 transition-colors hover:bg-red-500/10 hover:text-red-400 focus:outline-none focus-visible:ring-2 focus-visible:ring-emerald-500 disabled:cursor-not-allowed disabled:opacity-50 disabled:hover:bg-transparent disabled:hover:text-slate-400"
              >
                <Trash2 className="h-4 w-4" aria-hidden="true" />
                Delete
              </button>
            </span>
            <CloseButton ref={closeRef} title="Close (Esc)" onClick={onClose} testId="dataset-modal-close" />
          </div>
        </div>

        {lock && (
          <div
            role="status"
            data-testid="dataset-busy-notice"
            title={lockDescription(lock)}
            className="flex items-start gap-2 border-b border-amber-500/30 bg-amber-500/10 px-6 py-3 text-sm text-amber-300"
          >
            <Lock className="mt-0.5 h-4 w-4 shrink-0" aria-hidden="true" />
            <p className="min-w-0 break-words">{lockNotice(lock)}</p>
          </div>
        )}

        <div className="border-b border-slate-800 px-6" role="tablist" aria-label="Dataset details">
          {TABS.map((t) => {
            const active = t.key === tab;
            return (
              <button
                key={t.key}
                ref={(el) => {
                  tabRefs.current[t.key] = el;
                }}
                type="button"
                role="tab"
                id={`${tabsId}-${t.key}-tab`}
                aria-selected={active}
                aria-controls={`${tabsId}-${t.key}-panel`}
                tabIndex={active ? 0 : -1}
                data-testid={`dataset-tab-${t.key}`}
                onClick={() => selectTab(t.key)}
                onKeyDown={onTabKeyDown}
                className={`border-b-2 px-4 py-3 transition-colors focus:outline-none focus-visible:bg-slate-800/50 ${
                  active
                    ? "border-emerald-400 text-emerald-400"
                    : "border-transparent text-slate-400 hover:text-slate-300"
                }`}
              >
                {t.label}
              </button>
            );
          })}
        </div>

        {/* Panels stay mounted so typed text and settings survive a switch of tab. */}
        <div className="flex-1 overflow-y-auto p-6" data-testid="dataset-modal-body">
          <div
            role="tabpanel"
            id={`${tabsId}-overview-panel`}
            aria-labelledby={`${tabsId}-overview-tab`}
            hidden={tab !== "overview"}
          >
            <OverviewTab dataset={dataset} onOpenTokenization={() => selectTab("tokenization")} />
          </div>
          <div
            role="tabpanel"
            id={`${tabsId}-samples-panel`}
            aria-labelledby={`${tabsId}-samples-tab`}
            hidden={tab !== "samples"}
          >
            {samplesSeen && <SamplesTab dataset={dataset} />}
          </div>
          <div
            role="tabpanel"
            id={`${tabsId}-tokenization-panel`}
            aria-labelledby={`${tabsId}-tokenization-tab`}
            hidden={tab !== "tokenization"}
          >
            <TokenizationTab dataset={dataset} />
          </div>
          <div
            role="tabpanel"
            id={`${tabsId}-statistics-panel`}
            aria-labelledby={`${tabsId}-statistics-tab`}
            hidden={tab !== "statistics"}
          >
            {statisticsSeen && <StatisticsTab dataset={dataset} onOpenTokenization={() => selectTab("tokenization")} />}
          </div>
        </div>
        {confirmDelete && (
          <DeleteDatasetsDialog
            datasets={[dataset]}
            onCancel={() => setConfirmDelete(false)}
            onDeleted={onClose}
          />
        )}
      </div>
    </div>
  );
}
