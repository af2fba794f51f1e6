// Values read on every call but changed rarely by an operator (the model catalog, the channels):
// loaded once per connection pool and kept a few seconds, so a change applies within that time.
import type { Db } from "./database.ts";

export function cachedPerDatabase<T>(ttlMs: number, load: (db: Db) => Promise<T>) {
  const entries = new WeakMap<object, { at: number; value: Promise<T> }>();
  return {
    get(db: Db): Promise<T> {
      const hit = entries.get(db);
      if (hit && Date.now() - hit.at < ttlMs) return hit.value;
      const value = load(db);
      entries.set(db, { at: Date.now(), value });
      value.catch(() => entries.delete(db));
      return value;
    },
    /** After a change made through this pool: the next read loads afresh. */
    forget(db: Db) {
      entries.delete(db);
    },
  };
}
