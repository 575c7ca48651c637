import { isIP } from 'node:net';

export const DEFAULT_PORT = 8421;

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}
