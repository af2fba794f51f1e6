// The card log in and sign up sit in: a title, a line under it, what went wrong, the form, and
// the way to the other one.
import type { ComponentChildren } from "preact";

export interface Alert {
  /** "error": the input needs fixing; "notice": nothing is wrong with it, just wait. */
  tone: "error" | "notice";
  text: string;
}

export function AuthCard(
  { title, lead, alert, footer, children }: {
    title: string;
    lead: string;
    alert?: Alert;
    footer: ComponentChildren;
    children: ComponentChildren;
  },
) {
  return (
    <section class="auth-card">
      <h1>{title}</h1>
      <p class="muted">{lead}</p>
      {alert && <p class={`alert alert-${alert.tone}`} role="alert">{alert.text}</p>}
      {children}
      <p class="auth-footer">{footer}</p>
    </section>
  );
}
