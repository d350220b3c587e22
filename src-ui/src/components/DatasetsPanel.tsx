import { useCallback, useState } from "react";
import { Loader } from "lucide-react";
import { useDatasetsStore } from "../store/datasets";
import { activeJobFor, useJobsStore } from "../store/jobs";
import { DatasetCard } from "./DatasetCard";
import { DatasetModal } from "./detail/DatasetModal";
import { DownloadForm } from "./DownloadForm";
import { ErrorBox } from "./ErrorBox";

export function DatasetsPanel() {
  const datasets = useDatasetsStore((s) => s.datasets);
  const loading = useDatasetsStore((s) => s.loading);
  const error = useDatasetsStore((s) => s.error);
  const load = useDatasetsStore((s) => s.load);
  const jobs = useJobsStore((s) => s.jobs);
  const [openId, setOpenId] = useState<string | null>(null);
  // The modal shows the live dataset; it closes if the dataset goes away or stops being ready.
  const opened = datasets.find((d) => d.id === openId && d.status === "ready") ?? null;

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
      <div className="mb-8">
        <h2 id="datasets-title" className="text-2xl font-semibold text-slate-100">
          Datasets
        </h2>
        <p className="text-slate-400">Manage training datasets from HuggingFace or local sources</p>
      </div>

      <DownloadForm />

      {error && (
        <ErrorBox
          className="mb-6"
          title="Could not load datasets"
          error={error}
          onRetry={() => void load()}
        />
      )}

      {loading ? (
        <div role="status" className="flex items-center justify-center gap-2 py-12 text-slate-400">
          <Loader className="h-5 w-5 animate-spin" aria-hidden="true" />
          Loading datasets…
        </div>
      ) : datasets.length === 0 ? (
        !error && (
          <div className="py-12 text-center" data-testid="datasets-empty">
            <p className="text-lg text-slate-400">No datasets yet</p>
            <p className="mt-2 text-slate-500">Datasets you download or import will appear here.</p>
          </div>
        )
      ) : (
        <div>
          <h3 className="mb-4 text-lg font-semibold text-slate-100">Your Datasets ({datasets.length})</h3>
          <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
            {datasets.map((dataset) => (
              <DatasetCard
                key={dataset.id}
                dataset={dataset}
                job={activeJobFor(jobs, dataset.id)}
                onOpen={() => setOpenId(dataset.id)}
              />
            ))}
          </div>
        </div>
      )}

      {opened && <DatasetModal key={opened.id} dataset={opened} onClose={close} />}
    </section>
  );
}
