import type { Dataset } from "../../bindings";

/** The split picker's value for "every split together" (the commands' `null` split). */
export const ALL_SPLITS = "";

/** A split picker's options: every split together first, then each split. */
export function SplitOptions({ splits }: { splits: Dataset["splits"] }) {
  return (
    <>
      <option value={ALL_SPLITS}>All splits</option>
      {splits.map((s) => (
        <option key={s.name} value={s.name}>
          {s.name}
        </option>
      ))}
    </>
  );
}
