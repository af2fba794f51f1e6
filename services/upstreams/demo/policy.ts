// The demo channel's own content policy. A real upstream (OpenAI) refuses some prompts with its
// safety system, and the gateway must turn that refusal into OpenAI's 400 moderation_blocked; the
// offline demo upstream refuses prompts too, so that path can be tried and tested with no
// provider. It is deliberately tiny and crude: a short list of clearly unsafe words, matched as
// whole words, with OpenAI's moderation category names. It is not a moderation system; the real
// upstream's own policy is what protects production traffic.

export type ModerationCategory =
  | "sexual"
  | "violence"
  | "violence/graphic"
  | "self-harm";

/**
 * The words the demo upstream refuses, each with the category it reports. "forbidden-test-word"
 * is harmless on purpose: tests and manual checks trigger a refusal with it, without writing
 * anything unpleasant.
 */
export const BLOCKED_TERMS: readonly { term: string; category: ModerationCategory }[] = [
  { term: "forbidden-test-word", category: "violence" },
  { term: "nude", category: "sexual" },
  { term: "naked", category: "sexual" },
  { term: "porn", category: "sexual" },
  { term: "pornographic", category: "sexual" },
  { term: "nsfw", category: "sexual" },
  { term: "gore", category: "violence/graphic" },
  { term: "gory", category: "violence/graphic" },
  { term: "beheading", category: "violence/graphic" },
  { term: "decapitated", category: "violence/graphic" },
  { term: "dismembered", category: "violence/graphic" },
  { term: "mutilated", category: "violence/graphic" },
  { term: "massacre", category: "violence" },
  { term: "torture", category: "violence" },
  { term: "suicide", category: "self-harm" },
  { term: "self-harm", category: "self-harm" },
];

// A word's edges: not next to a letter, digit, underscore or hyphen, so "gore" does not match
// "gorefest" or "Gore-Tex", and "nude" does not match "denuded".
const PATTERNS = BLOCKED_TERMS.map(({ term, category }) => ({
  category,
  pattern: new RegExp(
    `(?<![\\p{L}\\p{N}_-])${term.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\p{L}\\p{N}_-])`,
    "iu",
  ),
}));

/** The categories the prompt falls into, each once, in BLOCKED_TERMS order; null when clean. */
export function demoPolicyViolation(prompt: string): string[] | null {
  const text = prompt.normalize("NFKC");
  const categories = new Set<string>();
  for (const { category, pattern } of PATTERNS) {
    if (pattern.test(text)) categories.add(category);
  }
  return categories.size ? [...categories] : null;
}
