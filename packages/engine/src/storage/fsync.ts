import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/** fsync a file by path (DuckDB's COPY does not fsync what it writes). */
export async function fsyncFile(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fsync a directory so a rename or unlink in it survives power loss. */
export async function fsyncDir(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Make `from` durable, then atomically move it to `to` and make the move durable. */
export async function durableRename(from: string, to: string): Promise<void> {
  await fsyncFile(from);
  await rename(from, to);
  await fsyncDir(dirname(to));
}
