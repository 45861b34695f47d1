import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ChildServer {
  /** The `npx` process. */
  readonly child: ChildProcess;
  /** The server's own process (under npx and tsx), as it logs in its `listening` line. */
  readonly serverPid: number;
  readonly url: string;
  readonly stdoutLines: string[];
  stderr(): string;
  /** Resolves with the exit code (or the signal name) of the `npx` process, once the chain has ended. */
  readonly exited: Promise<number | string>;
  /** Signals the server process itself (signalling npx would leave the server running). */
  kill(signal: NodeJS.Signals): void;
}

/**
 * Runs the CLI as `npm start` would (`npx tsx packages/api/src/main.ts`) on a free port and
 * resolves once it logs `listening`.
 */
export async function spawnServer(env: Record<string, string>, timeoutMs = 30_000): Promise<ChildServer> {
  const child = spawn('npx', ['tsx', 'packages/api/src/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'development', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdoutLines: string[] = [];
  let stderr = '';
  let buffered = '';
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const { url, pid } = await new Promise<{ url: string; pid: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        stdoutLines.push(line);
        try {
          const parsed = JSON.parse(line) as { msg?: string; url?: string; pid?: number };
          if (parsed.msg === 'listening' && parsed.url && parsed.pid) {
            clearTimeout(timer);
            resolve({ url: parsed.url, pid: parsed.pid });
          }
        } catch {
          // not a log line
        }
      }
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => (stderr += chunk));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening; stderr: ${stderr}`));
    });
  });
  return { child, serverPid: pid, url, stdoutLines, stderr: () => stderr, exited, kill: (signal) => process.kill(pid, signal) };
}
