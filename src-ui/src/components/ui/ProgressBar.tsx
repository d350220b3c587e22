type Props = {
  percent: number;
  label: string;
};

/** 8 px rounded track with the mock's blue gradient fill. */
export function ProgressBar({ percent, label }: Props) {
  const value = Math.max(0, Math.min(100, percent));
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={value}
      className="h-2 w-full overflow-hidden rounded-full bg-slate-800"
    >
      <div
        className="h-full rounded-full bg-gradient-to-r from-blue-500 to-blue-400 transition-[width] duration-300"
        style={{ width: `${value}%` }}
      />
    </div>
  );
}
