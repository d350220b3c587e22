import { Field } from "../ui/Field";
import { Input } from "../ui/Input";

type Props = {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  help?: string;
  min: number;
  max?: number;
  placeholder?: string;
  testId: string;
};

/** A whole-number field of the settings form; the text is kept as typed and checked by buildSettings. */
export function NumberField({ label, value, onChange, error, help, min, max, placeholder, testId }: Props) {
  return (
    <Field label={label} help={help} error={error} testId={testId}>
      {({ id, describedBy, invalid }) => (
        <Input
          id={id}
          type="number"
          inputMode="numeric"
          min={min}
          max={max}
          step={1}
          placeholder={placeholder}
          data-testid={testId}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={invalid}
          aria-describedby={describedBy}
        />
      )}
    </Field>
  );
}
