-- Servers keep the callers of recently used API keys in memory (services/accounts/api_keys.ts KeyCache).
-- Any change that alters what a key may do (revoked, its spend limit, its owner, its hash) or
-- removes it is announced on the channel api_key_changed, with the key's id, once the change
-- commits; every listening server forgets that key at once.
create function api_key_changed() returns trigger language plpgsql as $$
begin
  perform pg_notify('api_key_changed', old.id::text);
  return null;
end $$;

create trigger api_key_changed after update of revoked_at, spend_limit, user_id, key_hash or delete
  on api_keys for each row execute function api_key_changed();
