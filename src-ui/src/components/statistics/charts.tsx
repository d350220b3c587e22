import type { ReactNode } from "react";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { TopToken } from "../../bindings";
import { formatCompact, formatCount, formatPercent } from "../../lib/format";
import type { EfficiencyRow } from "../../lib/statistics";
import { visiblePiece } from "../../lib/tokenize";

// Loaded on demand with LengthHistogram (Recharts is most of the bundle).

const AXIS_COLOR = "#94a3b8"; // slate-400
const GRID_COLOR = "#1e293b"; // slate-800
const AXIS_LINE = "#334155"; // slate-700
const ROW_HEIGHT = 22;

function TooltipBox({ children }: { children: ReactNode }) {
  return (
    <div className="rounded border border-slate-700 bg-slate-900 px-3 py-2 text-xs text-slate-200 shadow-lg">{children}</div>
  );
}

type TokenDatum = { key: string; label: string; id: number; piece: string; count: number };

/** Longest label drawn on the axis; the tooltip and the list keep the whole piece. */
function axisLabel(piece: string): string {
  const visible = visiblePiece(piece);
  return visible.length > 14 ? `${visible.slice(0, 13)}…` : visible;
}

/** The most frequent tokens as decoded text (whitespace drawn), longest bar first. */
export function TopTokensChart({ tokens, totalTokens }: { tokens: TopToken[]; totalTokens: number }) {
  // Keyed by id: two ids can decode to the same text and must stay two bars.
  const data: TokenDatum[] = tokens.map((t) => ({
    key: String(t.id),
    label: axisLabel(t.piece),
    id: t.id,
    piece: t.piece,
    count: t.count,
  }));
  const labels = new Map(data.map((d) => [d.key, d.label]));
  const summary = data
    .slice(0, 5)
    .map((d) => `${JSON.stringify(d.piece)} ${formatCount(d.count)}`)
    .join(", ");
  return (
    <div
      className="w-full"
      style={{ height: data.length * ROW_HEIGHT + 40 }}
      role="img"
      aria-label={`Bar chart of the ${data.length} most frequent tokens. Top: ${summary}`}
    >
      <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 800, height: data.length * ROW_HEIGHT + 40 }}>
        <BarChart data={data} layout="vertical" margin={{ top: 4, right: 16, bottom: 4, left: 4 }} barCategoryGap={3}>
          <CartesianGrid horizontal={false} stroke={GRID_COLOR} />
          <XAxis
            type="number"
            tick={{ fill: AXIS_COLOR, fontSize: 11 }}
            tickFormatter={(v: number) => formatCompact(v)}
            stroke={AXIS_LINE}
            allowDecimals={false}
          />
          <YAxis
            type="category"
            dataKey="key"
            width={112}
            interval={0}
            tick={{ fill: "#e2e8f0", fontSize: 12, fontFamily: "ui-monospace, monospace" }}
            tickFormatter={(key: string) => labels.get(key) ?? key}
            stroke={AXIS_LINE}
          />
          <Tooltip
            cursor={{ fill: "rgba(148, 163, 184, 0.08)" }}
            content={(props) => {
              const d = props.active ? (props.payload?.[0]?.payload as TokenDatum | undefined) : undefined;
              if (!d) return null;
              return (
                <TooltipBox>
                  <p className="whitespace-pre font-mono text-slate-100">{visiblePiece(d.piece)}</p>
                  <p className="text-slate-400">Token ID {d.id}</p>
                  <p className="font-medium">
                    {formatCount(d.count)} times
                    {totalTokens > 0 ? ` · ${formatPercent(d.count / totalTokens, 2)} of tokens` : ""}
                  </p>
                </TooltipBox>
              );
            }}
          />
          <Bar dataKey="count" fill="#10b981" radius={[0, 2, 2, 0]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

/**
 * One 100% bar per row of `efficiencyRows`: shares are drawn, the counts are in the tooltip (and
 * in the legend the caller writes).
 */
export function EfficiencyChart({ rows }: { rows: EfficiencyRow[] }) {
  const partKeys = [...new Set(rows.flatMap((r) => r.parts.map((p) => `${r.key}:${p.key}`)))];
  const data = rows.map((r) => {
    const total = r.parts.reduce((sum, p) => sum + p.count, 0);
    const datum: Record<string, number | string> = { label: r.label };
    for (const p of r.parts) datum[`${r.key}:${p.key}`] = total > 0 ? (p.count / total) * 100 : 0;
    return datum;
  });
  const part = (key: string) => {
    const [rowKey, partKey] = key.split(":");
    const row = rows.find((r) => r.key === rowKey);
    return { row, part: row?.parts.find((p) => p.key === partKey) };
  };
  const description = rows
    .map((r) => `${r.label}: ${r.parts.map((p) => `${p.label} ${formatCount(p.count)}`).join(", ")}`)
    .join(". ");
  const height = rows.length * 44 + 36;
  return (
    <div className="w-full" style={{ height }} role="img" aria-label={`Efficiency. ${description}`}>
      <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 800, height }}>
        <BarChart data={data} layout="vertical" margin={{ top: 4, right: 16, bottom: 4, left: 4 }} barCategoryGap={10}>
          <XAxis
            type="number"
            domain={[0, 100]}
            ticks={[0, 25, 50, 75, 100]}
            tickFormatter={(v: number) => `${v}%`}
            tick={{ fill: AXIS_COLOR, fontSize: 11 }}
            stroke={AXIS_LINE}
          />
          <YAxis type="category" dataKey="label" width={112} tick={{ fill: AXIS_COLOR, fontSize: 12 }} stroke={AXIS_LINE} />
          <Tooltip
            cursor={{ fill: "rgba(148, 163, 184, 0.08)" }}
            content={(props) => {
              const entries = (props.active ? (props.payload ?? []) : [])
                .map((p) => part(String(p.dataKey)))
                .filter((e) => e.part !== undefined);
              const row = entries[0]?.row;
              if (!row) return null;
              const total = row.parts.reduce((sum, p) => sum + p.count, 0);
              return (
                <TooltipBox>
                  <p className="mb-1 text-slate-400">{row.label}</p>
                  {row.parts.map((p) => (
                    <p key={p.key}>
                      {p.label}: {formatCount(p.count)} {row.unit}
                      {total > 0 ? ` (${formatPercent(p.count / total)})` : ""}
                    </p>
                  ))}
                </TooltipBox>
              );
            }}
          />
          {partKeys.map((key) => (
            <Bar
              key={key}
              dataKey={key}
              stackId="share"
              fill={part(key).part?.color ?? "#64748b"}
              isAnimationActive={false}
            />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
