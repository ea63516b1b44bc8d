// An upstream key's health as the pages show it (the admin API's health object, on /health and on each pool key): a
// cooldown of one model is not a cooldown of the key, and the last failure is one event.
import { when } from './dom.js';

/** The cooldowns running now: the whole key's (model null), then each model's. */
export function cooldowns(health) {
  const whole = health.cooldown_until ? [{ model: null, until: health.cooldown_until }] : [];
  return [...whole, ...Object.entries(health.model_cooldowns ?? {}).map(([model, until]) => ({ model, until }))];
}

/** "until …" for the whole key, "gpt-4o until …" for one model. */
export function cooldownText({ model, until }) {
  return `${model ? `${model} ` : ''}until ${when(until)}`;
}

/** Whether the key takes requests: one cooling only for some models still serves every other model. */
export function usable(health) {
  return health.state === 'ok' || (health.state === 'cooling' && !health.cooldown_until);
}

/** The last failure: its status (none for a connection failure), message and time, e.g. "429 … (12/6/2026, 8:01:02 PM)". */
export function lastFailure(health) {
  if (!health.last_failure_at) {
    return '—';
  }
  return `${health.last_status ? `${health.last_status} ` : ''}${health.last_error ?? ''} (${when(health.last_failure_at)})`;
}
