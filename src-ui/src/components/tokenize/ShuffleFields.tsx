import { formatCount } from "../../lib/format";
import { MAX_SEED, type DraftErrors, type SettingsDraft } from "../../lib/tokenize";
import { SwitchRow } from "../ui/Switch";
import { NumberField } from "./NumberField";

type Props = {
  draft: SettingsDraft;
  errors: DraftErrors;
  onChange: (draft: SettingsDraft) => void;
};

/** The order rows are written in: the dataset's, or a seeded random one. */
export function ShuffleFields({ draft, errors, onChange }: Props) {
  return (
    <>
      <SwitchRow
        label="Shuffle Rows"
        help={
          draft.mode === "packed"
            ? "Write the packed rows in a random order fixed by the seed, as SAELens does by default"
            : "Write the rows in a random order fixed by the seed instead of the dataset's order"
        }
        checked={draft.shuffle}
        onChange={(shuffle) => onChange({ ...draft, shuffle })}
        testId="tokenize-shuffle"
      />
      {draft.shuffle && (
        <NumberField
          label="Seed"
          value={draft.seed}
          onChange={(seed) => onChange({ ...draft, seed })}
          error={errors.seed}
          help={`Empty: a random seed is drawn when the job starts and recorded with the tokenization. The same seed gives the same order (0 to ${formatCount(MAX_SEED)}).`}
          min={0}
          max={MAX_SEED}
          placeholder="Random"
          testId="tokenize-seed"
        />
      )}
    </>
  );
}
