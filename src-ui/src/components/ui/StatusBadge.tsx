import { statusLook, type StatusLook } from "../../lib/status";

/** The status icon and pill; `look` overrides the dataset look (e.g. for tokenizations). */
export function StatusBadge({ status, look: given }: { status: string; look?: StatusLook }) {
  const look = given ?? statusLook(status);
  const Icon = look.icon;
  return (
    <div className="flex shrink-0 items-center gap-2">
      <Icon
        className={`h-5 w-5 text-slate-400 ${look.spin ? "animate-spin" : ""}`}
        aria-hidden="true"
        data-testid="status-icon"
      />
      <span
        className={`rounded-full border px-3 py-1 text-xs font-medium ${look.badge}`}
        data-testid="status-badge"
        data-status={status}
      >
        {look.label}
      </span>
    </div>
  );
}
