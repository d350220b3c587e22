import { Check, Copy } from "lucide-react";
import { useCopyText } from "../../hooks/useCopyText";
import { Button } from "./Button";

type Props = {
  text: string;
  /** What is copied, for screen readers: "Copy the folder path". */
  label: string;
  testId?: string;
};

/** A small "Copy" button that puts `text` on the clipboard and says whether it worked. */
export function CopyButton({ text, label, testId }: Props) {
  const { copied, copy } = useCopyText();
  return (
    <>
      <Button
        size="xs"
        icon={copied === "ok" ? Check : Copy}
        onClick={() => void copy(text)}
        aria-label={label}
        title={copied === "failed" ? "Could not copy" : label}
        data-testid={testId}
      >
        {copied === "ok" ? "Copied" : copied === "failed" ? "Could not copy" : "Copy"}
      </Button>
      <span className="sr-only" role="status">
        {copied === "ok" ? "Copied" : copied === "failed" ? "Could not copy" : ""}
      </span>
    </>
  );
}
