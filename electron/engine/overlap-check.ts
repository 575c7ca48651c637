import { DownloadError } from './errors.ts';
import type { HttpBody } from './http-body.ts';

/**
 * Bytes already on disk asked for again where a range continues a file whose server shows no
 * ETag or Last-Modified: nothing else tells a new version of the same size from the one kept.
 * Small, as it is fetched again on every such request; a change that leaves these bytes alone
 * passes (a checksum, where given, catches it: see TaskRunner).
 */
export const OVERLAP_BYTES = 16 * 1024;

export const CONTENT_CHANGED =
  'the file changed on the server: the bytes before the range asked differ from those kept; starting over';

/**
 * The body of a response that starts with `kept`, the bytes on disk just before the range asked:
 * they are compared and not passed on, so the sink sees the range asked. Differing bytes fail
 * the response with CONTENT_CHANGED.
 */
export function afterOverlap(body: HttpBody, kept: Buffer): HttpBody {
  return {
    pipe(sink) {
      const head = Buffer.allocUnsafe(kept.length);
      let seen = 0;
      return body.pipe({
        space: () => (seen < head.length ? head.subarray(seen) : sink.space()),
        hasRoom: () => seen < head.length || (sink.hasRoom?.() ?? true),
        took: (n) => {
          if (seen === head.length) return sink.took(n);
          seen += n;
          if (seen === head.length && !head.equals(kept)) {
            throw new DownloadError('CONTENT_CHANGED', CONTENT_CHANGED, { retryable: false });
          }
          return undefined;
        },
      });
    },
    dump: (limit) => body.dump(limit),
    destroy: () => body.destroy(),
  };
}
