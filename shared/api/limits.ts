/** Size limits enforced at every trust boundary (IPC, WebSocket, CLI args). */
export const LIMITS = {
  urlLength: 8192,
  headerCount: 64,
  headerNameLength: 256,
  headerValueLength: 8192,
  urlsPerAdd: 10_000,
  pathLength: 4096,
  maxConnections: 32,
  maxConcurrent: 32,
} as const;
