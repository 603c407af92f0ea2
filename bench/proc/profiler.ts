import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

/**
 * CPU profiles of a measured window only (not process start-up or set-up), written as .cpuprofile
 * files into MINIDOTE_BENCH_PROFILE. Read them with bench/tools/profileTop.ts.
 */
export const PROFILE_DIR = process.env.MINIDOTE_BENCH_PROFILE;

let session: Session | undefined;

function post(method: string, params?: object): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (!session) throw new Error('no inspector session');
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

export async function startProfile(): Promise<void> {
  session ??= new Session();
  session.connect();
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
}

/** Stops the profile started by startProfile and writes it as `name`.cpuprofile; returns the path. */
export async function stopProfile(name: string): Promise<string> {
  if (!PROFILE_DIR) throw new Error('MINIDOTE_BENCH_PROFILE is not set');
  const { profile } = (await post('Profiler.stop')) as { profile: object };
  session?.disconnect();
  const path = join(PROFILE_DIR, `${name}.cpuprofile`);
  writeFileSync(path, JSON.stringify(profile));
  return path;
}
