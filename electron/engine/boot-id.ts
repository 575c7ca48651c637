import { readFile } from 'node:fs/promises';

/**
 * A name for the running OS kernel that changes on every boot, or null where the OS gives none
 * (only Linux does). Bytes the OS holds survive a crash of our process, not of the OS: a record
 * made in the current boot can trust them without an fsync.
 */
export async function readBootId(): Promise<string | null> {
  try {
    return (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim() || null;
  } catch {
    return null;
  }
}
