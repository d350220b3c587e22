import { Activity, Ban, CircleCheckBig, Clock, Database, Loader, Trash2, type LucideIcon } from "lucide-react";
import { humanize } from "./format";

export type StatusLook = {
  label: string;
  icon: LucideIcon;
  spin?: boolean;
  /** Badge fill / text / border classes. */
  badge: string;
};

const NEUTRAL = "bg-slate-500/20 text-slate-300 border-slate-500/30";

const LOOKS: Record<string, StatusLook> = {
  downloading: {
    label: "Downloading",
    icon: Loader,
    spin: true,
    badge: "bg-blue-500/20 text-blue-400 border-blue-500/30",
  },
  processing: {
    label: "Processing",
    icon: Activity,
    badge: "bg-yellow-500/20 text-yellow-400 border-yellow-500/30",
  },
  ready: {
    label: "Ready",
    icon: CircleCheckBig,
    badge: "bg-emerald-500/20 text-emerald-400 border-emerald-500/30",
  },
  error: {
    label: "Error",
    icon: Activity,
    badge: "bg-red-500/20 text-red-400 border-red-500/30",
  },
  queued: { label: "Queued", icon: Clock, badge: NEUTRAL },
  cancelled: { label: "Cancelled", icon: Ban, badge: NEUTRAL },
  deleting: { label: "Deleting", icon: Trash2, badge: NEUTRAL },
};

/**
 * Look for a dataset status. Statuses this build does not know get a neutral
 * slate badge: they must never look "ready".
 */
export function statusLook(status: string): StatusLook {
  return (
    (Object.prototype.hasOwnProperty.call(LOOKS, status) ? LOOKS[status] : undefined) ?? {
      label: humanize(status) || "Unknown",
      icon: Database,
      badge: NEUTRAL,
    }
  );
}

const TOKENIZATION_LOOKS: Record<string, StatusLook> = {
  queued: { label: "Queued", icon: Clock, badge: "bg-blue-500/20 text-blue-400 border-blue-500/30" },
  processing: {
    label: "Tokenizing",
    icon: Loader,
    spin: true,
    badge: "bg-yellow-500/20 text-yellow-400 border-yellow-500/30",
  },
};

/** Look for a tokenization status: queued blue, tokenizing yellow, the rest as for datasets. */
export function tokenizationLook(status: string): StatusLook {
  return (
    (Object.prototype.hasOwnProperty.call(TOKENIZATION_LOOKS, status) ? TOKENIZATION_LOOKS[status] : undefined) ??
    statusLook(status)
  );
}
