import { CHECKSUM_ALGORITHMS, type Checksum } from '../../shared/api/task.ts';

/**
 * An expected checksum typed as hex, its kind told by its length (SHA-256 64 digits, SHA-1 40,
 * MD5 32); empty is none. `undefined` where it is not one of these.
 */
export function parseChecksumText(text: string): Checksum | null | undefined {
  const hex = text.trim().toLowerCase();
  if (!hex) return null;
  if (!/^[0-9a-f]+$/.test(hex)) return undefined;
  const algorithm = (Object.keys(CHECKSUM_ALGORITHMS) as Checksum['algorithm'][]).find(
    (a) => CHECKSUM_ALGORITHMS[a] === hex.length,
  );
  return algorithm ? { algorithm, expected: hex } : undefined;
}
