import { spawn, type ChildProcess } from 'node:child_process';

const BIN = new URL('../../bin/braid.js', import.meta.url).pathname;

export interface ServeProcess {
  child: ChildProcess;
  /** The printed URL, token included. */
  url: string;
  /** Everything the process wrote, for assertions and failure messages. */
  output(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Runs the real `braid serve` CLI as a child process and waits for the URL it prints. */
export function startServeProcess(args: string[], env: NodeJS.ProcessEnv): Promise<ServeProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (out += s));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`braid serve printed no URL in 30 s:\n${out}`));
    }, 30_000);
    const check = () => {
      const match = /(http:\/\/\S+\?token=\S+)/.exec(out);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off('data', check);
      resolve({
        child,
        url: match[1] as string,
        output: () => out,
        stop: async () => {
          if (child.exitCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    };
    child.stdout.on('data', check);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`braid serve exited with ${code} before printing a URL:\n${out}`));
    });
  });
}
