import type { RefObject } from "react";
import { Cpu, Settings } from "lucide-react";
import { formatBytes, jobsSummary } from "../lib/format";
import { useMachineStore } from "../store/machine";
import { IconButton } from "./ui/Button";

type Props = {
  onOpenSettings: () => void;
  settingsButtonRef?: RefObject<HTMLButtonElement | null>;
};

function MachineStatusView() {
  const status = useMachineStore((s) => s.status);
  const error = useMachineStore((s) => s.error);

  if (error && !status) {
    return (
      <span className="flex items-center gap-2 text-red-400" title={error.message}>
        <span aria-hidden="true">●</span>
        <span className="max-w-xs truncate">
          {error.kind}: {error.message}
        </span>
      </span>
    );
  }
  if (!status) {
    return <span className="text-slate-500">Connecting…</span>;
  }
  return (
    <>
      <span className="flex items-center gap-2" title={error ? `${error.kind}: ${error.message}` : undefined}>
        <span className={error ? "text-yellow-400" : "text-emerald-400"} aria-hidden="true">
          ●
        </span>
        <span data-testid="machine-hostname">{status.hostname}</span>
      </span>
      {status.free_bytes !== null && (
        <span data-testid="machine-free" title={status.data_root}>
          {formatBytes(status.free_bytes)} free
        </span>
      )}
      <span data-testid="machine-jobs">{jobsSummary(status)}</span>
    </>
  );
}

function MachineWarning() {
  const warning = useMachineStore((s) => s.status?.warning ?? null);
  if (!warning) return null;
  return (
    <div
      role="alert"
      data-testid="machine-warning"
      className="border-t border-yellow-500/30 bg-yellow-500/10 px-6 py-2 text-center text-sm text-yellow-400"
    >
      {warning}
    </div>
  );
}

export function Header({ onOpenSettings, settingsButtonRef }: Props) {
  return (
    <header className="border-b border-slate-800 bg-slate-900/50 backdrop-blur">
      <div className="mx-auto flex max-w-7xl items-center justify-between gap-6 px-6 py-4">
        <div className="flex items-center gap-3">
          <Cpu className="h-8 w-8 shrink-0 text-emerald-400" aria-hidden="true" />
          <div>
            <h1 className="text-xl font-semibold">MechInterp Studio</h1>
            <p className="text-sm text-slate-400">Edge AI Feature Discovery Platform</p>
          </div>
        </div>
        <div className="flex items-center gap-4 text-sm text-slate-400">
          <div
            className="flex flex-wrap items-center justify-end gap-x-4 gap-y-1"
            data-testid="machine-status"
            aria-label="Machine status"
            role="status"
          >
            <MachineStatusView />
          </div>
          <IconButton ref={settingsButtonRef} aria-label="Settings" title="Settings" onClick={onOpenSettings}>
            <Settings className="h-5 w-5" aria-hidden="true" />
          </IconButton>
        </div>
      </div>
      <MachineWarning />
    </header>
  );
}
