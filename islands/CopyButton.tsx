// A button that copies a snippet (a curl command, a key) and says so for a moment. Its words come
// from the page, in the page's language: copyLabels(locale).
import { useSignal } from "@preact/signals";

export interface CopyLabels {
  "copy.copy": string;
  "copy.copied": string;
}

export default function CopyButton(
  { text, labels, describedBy }: { text: string; labels: CopyLabels; describedBy?: string },
) {
  const copied = useSignal(false);
  const copy = async () => {
    await navigator.clipboard.writeText(text);
    copied.value = true;
    setTimeout(() => (copied.value = false), 1500);
  };
  return (
    <button
      type="button"
      class="copy"
      onClick={copy}
      aria-live="polite"
      aria-describedby={describedBy}
    >
      {copied.value ? labels["copy.copied"] : labels["copy.copy"]}
    </button>
  );
}
