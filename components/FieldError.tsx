// What is wrong with one field of a form, tied to it by aria-describedby.
export function FieldError({ id, text }: { id: string; text?: string }) {
  return text ? <p id={id} class="field-error">{text}</p> : null;
}
