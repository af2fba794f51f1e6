// Opens the browser's print dialog, where "Save as PDF" makes the invoice a PDF. Hidden until the
// page's JavaScript runs, as without it the button could do nothing.
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";

export default function PrintButton({ label }: { label: string }) {
  const ready = useSignal(false);
  useEffect(() => {
    ready.value = true;
  }, []);
  return (
    <button
      type="button"
      class="primary"
      hidden={!ready.value}
      onClick={() => globalThis.print()}
    >
      {label}
    </button>
  );
}
