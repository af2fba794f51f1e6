// A button that copies a snippet (a curl command, a key) and says so for a moment.
import { useSignal } from "@preact/signals";

export default function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const copied = useSignal(false);
  const copy = async () => {
    await navigator.clipboard.writeText(text);
    copied.value = true;
    setTimeout(() => (copied.value = false), 1500);
  };
  return (
    <button type="button" class="copy" onClick={copy} aria-live="polite">
      {copied.value ? "Copied" : label}
    </button>
  );
}
