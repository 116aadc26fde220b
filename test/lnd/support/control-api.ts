import type { LndSimulator } from '../../../lnd-simulator';

export interface ControlResponse<T> {
  status: number;
  body: T;
}

/** Calls the simulator's HTTP control API as an outside test would. */
export async function control<T = Record<string, unknown>>(
  sim: LndSimulator,
  method: 'GET' | 'POST',
  urlPath: string,
  body?: unknown,
): Promise<ControlResponse<T>> {
  const response = await fetch(`http://${sim.host}:${sim.controlPort}${urlPath}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}
