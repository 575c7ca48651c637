import envPaths from 'env-paths';

/** Where tasks, journals and settings live: BRAID_HOME, else the platform's per-user data folder. */
export function braidHome(env: NodeJS.ProcessEnv): string {
  return env['BRAID_HOME'] || envPaths('braid', { suffix: '' }).data;
}
