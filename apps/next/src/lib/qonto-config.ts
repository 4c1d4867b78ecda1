import { QontoConfigError, type QontoEnvConfig, qontoConfigFromEnv } from '@qonto-oauth/core';
import { qontoEnvFromAuthEnv } from '@qonto-oauth/next-auth/authjs';
import { DEMO_SANDBOX_URL, demoQontoConfig } from '@qonto-oauth/sandbox/demo';

type Env = Record<string, string | undefined>;

/** Where the app's Qonto settings came from; the home page says it, so nobody wonders which Qonto they reach. */
export type QontoConfigSource =
  /** `AUTH_QONTO_ID`/`QONTO_CLIENT_ID` and friends: a real Qonto app (or an emulator at `QONTO_SANDBOX_URL`). */
  | 'environment'
  /** No client id: the emulator's public demo client, at `QONTO_SANDBOX_URL` (or its default URL). */
  | 'demo';

/** The app's Qonto settings, or the configuration problem to show instead of a "Connect" button. */
export type AppQontoConfig =
  | { ok: true; source: QontoConfigSource; qonto: QontoEnvConfig; label: string }
  | { ok: false; error: QontoConfigError };

function present(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}

/**
 * Reads the Qonto settings at request time (never at build time, so `next build` needs no credentials):
 * `AUTH_QONTO_*` first, then design.md's `QONTO_*` (the provider's own precedence, `qontoEnvFromAuthEnv`, through
 * core's `qontoConfigFromEnv`). Without any client id,
 * the emulator's demo client at `QONTO_SANDBOX_URL` (the start script sets it when it starts an emulator), or at
 * the emulator's default URL when that is unset too (`npx qonto-sandbox`).
 */
export function qontoConfigFor(env: Env = process.env): AppQontoConfig {
  const merged = qontoEnvFromAuthEnv(env);
  if (!present(merged.QONTO_CLIENT_ID)) {
    const url = present(env.QONTO_SANDBOX_URL) ? env.QONTO_SANDBOX_URL.trim() : DEMO_SANDBOX_URL;
    const demo = demoQontoConfig(url);
    return {
      ok: true,
      source: 'demo',
      qonto: demo,
      label: `local Qonto sandbox emulator at ${url} (demo client)`,
    };
  }
  try {
    const qonto = qontoConfigFromEnv(merged);
    return { ok: true, source: 'environment', qonto, label: environmentLabel(qonto) };
  } catch (error) {
    if (error instanceof QontoConfigError) return { ok: false, error };
    throw error;
  }
}

function environmentLabel(qonto: QontoEnvConfig): string {
  if (typeof qonto.environment === 'string') return `Qonto ${qonto.environment}`;
  const kind = qonto.environment.requiresStagingToken ? 'sandbox' : 'production';
  return `Qonto emulator (${kind} mode) at ${qonto.environment.apiBaseUrl}`;
}
