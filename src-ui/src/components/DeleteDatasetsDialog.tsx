import { useId, useState } from "react";
import { commands, type Dataset, type DeleteReport } from "../bindings";
import { call } from "../lib/api";
import { formatBytes } from "../lib/format";
import { useDatasetsStore } from "../store/datasets";
import { ConfirmDialog } from "./ui/ConfirmDialog";

type Props = {
  datasets: Dataset[];
  onCancel: () => void;
  /** Called once the engine deleted them. */
  onDeleted: (report: DeleteReport) => void;
};

/** Names shown in full; more are summed up as "and N more". */
const MAX_NAMES = 5;

/** Asks before deleting one or more datasets, with their total size and the Hub-files option. */
export function DeleteDatasetsDialog({ datasets, onCancel, onDeleted }: Props) {
  const checkboxId = useId();
  const [hubFiles, setHubFiles] = useState(false);
  const one = datasets.length === 1 ? datasets[0] : undefined;
  const totalBytes = datasets.reduce((sum, d) => sum + (d.size_bytes ?? 0), 0);
  const fromHub = datasets.some((d) => d.source === "hugging_face");
  const shown = datasets.slice(0, MAX_NAMES);
  const more = datasets.length - shown.length;

  const onConfirm = async () => {
    const report = await call(
      commands.deleteDatasets(
        datasets.map((d) => d.id),
        fromHub && hubFiles,
      ),
    );
    void useDatasetsStore.getState().load();
    onDeleted(report);
  };

  return (
    <ConfirmDialog
      title={one ? "Delete dataset?" : `Delete ${datasets.length} datasets?`}
      confirmLabel={one ? "Delete" : `Delete ${datasets.length} datasets`}
      busyLabel="Deleting…"
      danger
      onConfirm={onConfirm}
      onCancel={onCancel}
      testId="delete-dialog"
    >
      <ul className="space-y-0.5" data-testid="delete-dialog-names">
        {shown.map((d) => (
          <li key={d.id} className="break-all font-medium text-slate-100">
            {d.name}
          </li>
        ))}
        {more > 0 && <li className="text-slate-400">and {more} more</li>}
      </ul>
      <p data-testid="delete-dialog-size">
        {totalBytes > 0 ? `${formatBytes(totalBytes)} on disk. ` : ""}
        {one ? "Its" : "Their"} tokenizations are deleted too. This cannot be undone.
      </p>
      {fromHub && (
        <label htmlFor={checkboxId} className="flex items-start gap-2 pt-1 text-slate-300">
          <input
            id={checkboxId}
            type="checkbox"
            className="mt-0.5 h-4 w-4 accent-red-500"
            checked={hubFiles}
            onChange={(e) => setHubFiles(e.target.checked)}
            data-testid="delete-dialog-hub-files"
          />
          Also delete the downloaded Hub files no other dataset uses
        </label>
      )}
    </ConfirmDialog>
  );
}
