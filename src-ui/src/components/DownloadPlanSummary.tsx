import { useEffect, useState } from "react";
import { Loader } from "lucide-react";
import { commands, type AppError, type DownloadPlan, type DownloadRequest } from "../bindings";
import { call } from "../lib/api";
import { formatBytes, formatCount } from "../lib/format";
import { useLatestRequest } from "../hooks/useLatestRequest";
import { InlineError } from "./ui/InlineError";

/** Wait this long after the last change before asking for the dry run. */
export const PLAN_DEBOUNCE_MS = 400;

type Plan =
  | { state: "idle" }
  | { state: "checking"; key: string }
  | { state: "ok"; key: string; plan: DownloadPlan }
  | { state: "error"; key: string; error: AppError };

function filesLine(plan: DownloadPlan): string {
  const ofFiles = plan.splits.reduce((n, s) => n + s.split_files, 0);
  const atMost = plan.upper_bound ? "at most " : "";
  const files = `${atMost}${formatCount(plan.num_files)} of ${formatCount(ofFiles)} ${ofFiles === 1 ? "file" : "files"}`;
  const fetch = `${formatBytes(plan.download_bytes)} to fetch`;
  const ofRows = plan.splits.every((s) => s.split_rows !== null)
    ? plan.splits.reduce((n, s) => n + (s.split_rows ?? 0), 0)
    : null;
  const rows =
    plan.num_rows === null
      ? null
      : ofRows !== null && ofRows !== plan.num_rows
        ? `${formatCount(plan.num_rows)} of ${formatCount(ofRows)} rows`
        : `${formatCount(plan.num_rows)} rows`;
  return [files, fetch, rows].filter((p) => p !== null).join(" · ");
}

function diskLine(plan: DownloadPlan): string {
  const free = plan.free_bytes === null ? "free space unknown" : `${formatBytes(plan.free_bytes)} free`;
  return (
    `Needs ${formatBytes(plan.needed_bytes)} on disk (download ${formatBytes(plan.download_peak_bytes)}` +
    `${plan.keep_hub_files ? "" : " at a time"}, conversion ${formatBytes(plan.conversion_bytes)}, ` +
    `later tokenization ${formatBytes(plan.tokenization_bytes)}) — ${free}`
  );
}

/**
 * The dry run of the download the form describes: files, bytes and rows it takes and the disk
 * it needs, asked for again whenever the choices change. `request` is null while the form
 * cannot describe a download yet.
 */
export function DownloadPlanSummary({ request }: { request: DownloadRequest | null }) {
  const [plan, setPlan] = useState<Plan>({ state: "idle" });
  const planRequest = useLatestRequest();
  const key = request ? JSON.stringify(request) : null;

  useEffect(() => {
    if (request === null || key === null) {
      planRequest.drop();
      return;
    }
    const timer = setTimeout(() => {
      setPlan({ state: "checking", key });
      void planRequest.run(
        call(commands.planDownload(request)),
        (data) => setPlan({ state: "ok", key, plan: data }),
        (error) => setPlan({ state: "error", key, error }),
      );
    }, PLAN_DEBOUNCE_MS);
    return () => clearTimeout(timer);
    // `key` stands for `request`: the effect runs when the choices change, not each render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, planRequest]);

  if (key === null || plan.state === "idle" || plan.key !== key) {
    return key === null ? null : <Checking />;
  }
  if (plan.state === "checking") return <Checking />;
  if (plan.state === "error") {
    return (
      <InlineError
        className="mt-1"
        alert={false}
        error={plan.error}
        testId="download-plan"
        kindTestId="download-plan-kind"
      />
    );
  }
  const { plan: data } = plan;
  const short = data.free_bytes !== null && data.free_bytes < data.needed_bytes;
  return (
    <div className="text-xs text-slate-400" data-testid="download-plan">
      <p data-testid="download-plan-files">{filesLine(data)}</p>
      <p data-testid="download-plan-disk">{diskLine(data)}</p>
      {short && (
        <p className="text-yellow-400" data-testid="download-plan-short">
          Not enough space: free some, choose fewer files or rows, or pick another data folder in Settings.
        </p>
      )}
    </div>
  );
}

function Checking() {
  return (
    <p className="flex items-center gap-1 text-xs text-slate-400" data-testid="download-plan-checking">
      <Loader className="h-3 w-3 animate-spin" aria-hidden="true" />
      Working out what the download takes…
    </p>
  );
}
