import { Bar, BarChart, CartesianGrid, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { HistogramBin, LengthSummary } from "../../bindings";
import { formatCompact, formatCount } from "../../lib/format";

type Props = {
  bins: HistogramBin[];
  summary: LengthSummary;
  /** What is counted: "rows" or "samples". */
  unit: string;
  /** The figures in words, for screen readers. */
  description: string;
  /** What a length is measured in; tokens unless told. */
  measure?: string;
};

type Datum = { key: string; start: number; end: number; count: number };

const MARKER_COLOR = "#facc15"; // yellow-400
const AXIS_COLOR = "#94a3b8"; // slate-400

function binLabel(bin: HistogramBin): string {
  return bin.end - bin.start <= 1 ? formatCount(bin.start) : `${formatCount(bin.start)}–${formatCount(bin.end - 1)}`;
}

/**
 * Median, p90 and p99 drawn at the bin holding them; markers in the same bin share a line. Labels
 * in the right half of the chart run leftwards so they are not cut off at the edge.
 */
function markers(
  bins: HistogramBin[],
  summary: LengthSummary,
): { key: string; label: string; anchor: "start" | "end" }[] {
  const byBin = new Map<string, string[]>();
  const named: [string, number][] = [
    ["median", summary.median],
    ["p90", summary.p90],
    ["p99", summary.p99],
  ];
  for (const [name, value] of named) {
    const bin = bins.find((b) => value >= b.start && value < b.end) ?? bins[bins.length - 1];
    if (!bin) continue;
    const key = String(bin.start);
    byBin.set(key, [...(byBin.get(key) ?? []), name]);
  }
  return [...byBin.entries()].map(([key, names]) => {
    const index = bins.findIndex((b) => String(b.start) === key);
    return { key, label: names.join(" · "), anchor: index > bins.length / 2 ? "end" : "start" };
  });
}

function HistogramTooltip({
  active,
  payload,
  unit,
  measure,
}: {
  active?: boolean;
  payload?: readonly { payload?: Datum }[];
  unit: string;
  measure: string;
}) {
  const d = active ? payload?.[0]?.payload : undefined;
  if (!d) return null;
  return (
    <div className="rounded border border-slate-700 bg-slate-900 px-3 py-2 text-xs text-slate-200 shadow-lg">
      <p className="text-slate-400">
        {binLabel(d)} {measure}
      </p>
      <p className="font-medium">
        {formatCount(d.count)} {unit}
      </p>
    </div>
  );
}

/**
 * A length distribution (in tokens, or in characters or words of the raw text) with median / p90 /
 * p99 markers (loaded on demand: Recharts is most of the bundle).
 */
export default function LengthHistogram({ bins, summary, unit, description, measure = "tokens" }: Props) {
  const data: Datum[] = bins.map((b) => ({ key: String(b.start), start: b.start, end: b.end, count: b.count }));
  const lines = markers(bins, summary);
  return (
    <div className="h-64 w-full" role="img" aria-label={`Histogram of ${unit} by length in ${measure}. ${description}`}>
      <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 800, height: 256 }}>
        <BarChart data={data} margin={{ top: 44, right: 8, bottom: 0, left: 0 }} barCategoryGap={1}>
          <CartesianGrid vertical={false} stroke="#1e293b" />
          <XAxis
            dataKey="key"
            tick={{ fill: AXIS_COLOR, fontSize: 11 }}
            tickFormatter={(v: string) => formatCompact(Number(v))}
            stroke="#334155"
            interval="preserveStartEnd"
            minTickGap={16}
          />
          <YAxis
            tick={{ fill: AXIS_COLOR, fontSize: 11 }}
            tickFormatter={(v: number) => formatCompact(v)}
            stroke="#334155"
            allowDecimals={false}
            width={44}
          />
          <Tooltip
            cursor={{ fill: "rgba(148, 163, 184, 0.08)" }}
            content={(props) => (
              <HistogramTooltip active={props.active} payload={props.payload} unit={unit} measure={measure} />
            )}
          />
          <Bar dataKey="count" fill="#10b981" radius={[2, 2, 0, 0]} isAnimationActive={false} />
          {lines.map((m, i) => (
            <ReferenceLine
              key={m.key}
              x={m.key}
              stroke={MARKER_COLOR}
              strokeDasharray="4 3"
              // Stacked one above the other so nearby markers do not overwrite each other.
              label={{
                value: m.label,
                position: "top",
                offset: 4 + i * 13,
                fill: MARKER_COLOR,
                fontSize: 11,
                textAnchor: m.anchor,
              }}
            />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
