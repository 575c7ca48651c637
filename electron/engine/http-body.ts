import type { IncomingHttpHeaders } from 'node:http';

/**
 * Receives a response body straight into its own buffers, so the hot path allocates nothing per
 * chunk and copies each byte once (socket → file buffer).
 */
export interface BodySink {
  /**
   * Where the next body bytes go (at least one byte long); the reader puts at most its length
   * there. The region stays reserved for the reader until the next `took`.
   */
  space(): Buffer;
  /**
   * Whether `space()` may be asked now, while the sink makes the reader wait. Node asks where to
   * read next right after each read, also after the one that made the reader wait; when the sink
   * would need memory it should not take yet (its disk is behind), the reader reads into its own
   * scratch instead. Without it, the sink is always asked.
   */
  hasRoom?(): boolean;
  /**
   * `n` bytes were put at the start of the last `space()`. Returns a promise to hold the body
   * until it settles (nothing more is read meanwhile), or false when no more bytes are wanted.
   * May throw to fail the response.
   */
  took(n: number): Promise<void> | false | undefined;
}

export interface HttpBody {
  /** Feeds the body into `sink`: true once it ended, false when the sink stopped it early. */
  pipe(sink: BodySink): Promise<boolean>;
  /** Reads and drops up to `limit` bytes (error pages, redirects); a longer body closes the connection. */
  dump(limit: number): Promise<void>;
  /** Drops the rest of the body (and with it the connection, unless the body already ended). */
  destroy(): void;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: HttpBody;
}

/** One connection's worth of HTTP client: GET requests, one at a time, kept alive between them. */
export interface HttpTransport {
  get(
    url: URL,
    headers: Readonly<Record<string, string>>,
    signal: AbortSignal,
  ): Promise<HttpResponse>;
  close(): void;
}
