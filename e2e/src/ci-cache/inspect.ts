import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { runOrThrow } from '../harness/index.js';

/** sha256 of a pex: of the file (zipapp), or of every relative path, type and content under it (a directory pex). */
export async function pexDigest(path: string): Promise<string> {
  const info = await lstat(path);
  if (info.isFile())
    return createHash('sha256')
      .update(await readFile(path))
      .digest('hex');
  const hash = createHash('sha256');
  async function walk(dir: string, rel: string): Promise<void> {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const entry of entries) {
      const path = join(dir, entry.name);
      const name = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        hash.update(`d ${name}\0`);
        await walk(path, name);
      } else if (entry.isSymbolicLink()) {
        hash.update(`l ${name} ${await readlink(path)}\0`);
      } else {
        hash.update(
          `f ${name} ${createHash('sha256')
            .update(await readFile(path))
            .digest('hex')}\0`,
        );
      }
    }
  }
  await walk(path, '');
  return hash.digest('hex');
}

/** Per-file sha256 under a directory pex (or of the one file), to say which parts differ. */
export async function pexFileDigests(path: string): Promise<Record<string, string>> {
  const info = await lstat(path);
  const out: Record<string, string> = {};
  if (info.isFile()) {
    out['.'] = createHash('sha256')
      .update(await readFile(path))
      .digest('hex');
    return out;
  }
  for (const rel of (await readdir(path, { recursive: true })).sort()) {
    const full = join(path, rel);
    if ((await lstat(full)).isFile())
      out[rel] = createHash('sha256')
        .update(await readFile(full))
        .digest('hex');
  }
  return out;
}

// Reads a pex (file or directory) the way Python does, every zip member decompressed (wheels inside
// it too), and reports each member's zip time and where any of the needles occurs.
const INSPECT_PY = String.raw`
import io, json, os, sys, zipfile
root, needles = sys.argv[1], [n.encode() for n in json.loads(sys.argv[2])]
out = {"times": [], "hits": [], "members": 0}
def scan(label, data):
    for n in needles:
        if n in data:
            out["hits"].append([label, n.decode()])
def scan_zip(label, zf):
    for info in zf.infolist():
        name = label + "!" + info.filename
        out["members"] += 1
        out["times"].append([name, list(info.date_time)])
        data = zf.read(info)
        scan(name, data)
        if info.filename.endswith((".whl", ".zip")) and zipfile.is_zipfile(io.BytesIO(data)):
            scan_zip(name, zipfile.ZipFile(io.BytesIO(data)))
def scan_file(label, path):
    with open(path, "rb") as f:
        data = f.read()
    scan(label, data)
    if zipfile.is_zipfile(io.BytesIO(data)):
        scan_zip(label, zipfile.ZipFile(io.BytesIO(data)))
if os.path.isdir(root):
    for d, dirs, files in os.walk(root):
        dirs.sort()
        for f in sorted(files):
            scan_file(os.path.relpath(os.path.join(d, f), root), os.path.join(d, f))
else:
    scan_file(os.path.basename(root), root)
print(json.dumps(out))
`;

export interface PexInspection {
  /** Every zip member (`<file>!<member>`, nested for wheels) with its zip date_time [y, m, d, H, M, S]. */
  times: Array<[member: string, time: number[]]>;
  /** [where, needle] for every needle found in a file or decompressed member. */
  hits: Array<[where: string, needle: string]>;
  members: number;
}

export async function inspectPex(
  path: string,
  needles: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<PexInspection> {
  const result = await runOrThrow('python3', ['-c', INSPECT_PY, path, JSON.stringify(needles)], env, { cwd });
  return JSON.parse(result.stdout) as PexInspection;
}

/** Strings that would show the build's date or time: dates around now, and epoch-seconds prefixes since `since`. */
export function timeNeedles(since: Date, now = new Date()): string[] {
  const needles = new Set<string>();
  const day = 86_400_000;
  for (let t = since.getTime() - day; t <= now.getTime() + day; t += day / 2) {
    const iso = new Date(t).toISOString().slice(0, 10);
    needles.add(iso);
    needles.add(iso.replace(/-/g, ''));
  }
  // 10-digit epoch seconds (and the milliseconds that start the same way), to 1000 s: the prefixes of
  // the build's window only (few needles: a 7-digit run can occur by chance in a hex digest).
  for (let t = since.getTime() - 60_000; t <= now.getTime() + 60_000; t += 60_000) {
    needles.add(String(Math.floor(t / 1000)).slice(0, 7));
  }
  return [...needles];
}

/** Zip members whose time falls within a day of the build: a zip time taken from the clock or a file's mtime. */
export function membersTimedLikeTheBuild(times: PexInspection['times'], since: Date, now = new Date()): string[] {
  const day = 86_400_000;
  return times
    .filter(([, [y = 0, m = 1, d = 1, H = 0, M = 0, S = 0]]) => {
      const t = Date.UTC(y, m - 1, d, H, M, S);
      return t >= since.getTime() - day && t <= now.getTime() + day;
    })
    .map(([member, time]) => `${member} ${time.join('-')}`);
}
