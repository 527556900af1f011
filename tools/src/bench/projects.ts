import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * The flask+requests service: flask 3.1.3 and requests 2.34.2 with every dependency pinned (what
 * pip resolves for CPython 3.11 on Linux), so every contender builds the same 12 wheels.
 */
export const FLASK_PINS = [
  'flask==3.1.3',
  'requests==2.34.2',
  'blinker==1.9.0',
  'certifi==2026.10.19.post1',
  'charset-normalizer==3.5.3',
  'click==8.5.1',
  'idna==3.20',
  'itsdangerous==2.2.0',
  'jinja2==3.1.6',
  'markupsafe==3.0.4',
  'urllib3==2.8.0',
  'werkzeug==3.1.9',
];

/** A real set of service dependencies (top-level, unpinned): about 55 packages once resolved. */
export const RESOLVE_SET = [
  'fastapi',
  'uvicorn[standard]',
  'sqlalchemy',
  'alembic',
  'pydantic-settings',
  'httpx',
  'requests',
  'boto3',
  'redis',
  'celery',
  'rich',
  'typer',
  'python-dateutil',
  'pyyaml',
];

/** One set of the real-world resolution suite: top-level requirements, unpinned. */
export interface RealWorldSet {
  /** A lowercase slug: part of the bench's workload ids (`resolve-sets-cold-<id>`) and test names. */
  id: string;
  requirements: readonly string[];
}

/**
 * The real-world resolution sets: one definition for the resolver's real-world suite
 * (`packages/resolver/src/lock/real-world.int.spec.ts`, against pip) and the bench's `resolve-sets-*`
 * rows (against uv). Every set resolves wheels only for CPython 3.11 on Linux x86_64
 * (`uv pip compile --only-binary :all:`); the counts are what uv 0.13.9 resolved on 2026-12-02 and
 * drift as the public index moves. The first seven are the suite's original cases (small: 2–20
 * packages), the others common application and tooling sets of 17–91 packages.
 */
export const REAL_WORLD_SETS: readonly RealWorldSet[] = [
  { id: 'flask', requirements: ['flask'] }, // 7 packages
  { id: 'fastapi-uvicorn', requirements: ['fastapi', 'uvicorn[standard]'] }, // 20
  { id: 'django', requirements: ['django'] }, // 3
  { id: 'pandas', requirements: ['pandas'] }, // 4
  { id: 'black', requirements: ['black'] }, // 7
  { id: 'boto3', requirements: ['boto3'] }, // 7
  { id: 'sqlalchemy', requirements: ['sqlalchemy'] }, // 2
  { id: 'celery-redis', requirements: ['celery[redis]'] }, // 17
  { id: 'scrapy', requirements: ['scrapy'] }, // 44
  { id: 'jupyterlab', requirements: ['jupyterlab'] }, // 91
  { id: 'streamlit', requirements: ['streamlit'] }, // 34
  { id: 'sphinx', requirements: ['sphinx'] }, // 22
  { id: 'dask-dataframe', requirements: ['dask[dataframe]'] }, // 17
];

/**
 * A backtracking-heavy real set: aiobotocore 2.5.4 pins botocore to >=1.31.17,<1.31.18, while boto3
 * (unpinned) requires the botocore of its own release day. The newest boto3 conflicts, and so does
 * every release back to 1.28.17, the first whose botocore range admits 1.31.17: the solver walks
 * ~800 boto3 releases (803 on 2026-12-02, one more each working day), reading the metadata of each.
 * It is the shape that makes pip backtrack for minutes in real projects (s3fs / aiobotocore with
 * boto3), and every resolver reaches the same answer (boto3 1.28.17).
 */
export const BACKTRACK_SET = ['boto3', 'aiobotocore==2.5.4'];

/**
 * Leaf distributions (no requirements of their own on Linux) pinned to the versions of FLASK_PINS:
 * the scale workspaces' projects each take a few of them, so their locks need no resolution work
 * beyond reading these pages, and the builds measure nx-pex and Nx, not the index.
 */
export const SCALE_PINS = FLASK_PINS.filter((p) =>
  /^(blinker|certifi|charset-normalizer|click|idna|itsdangerous|markupsafe|urllib3)==/.test(p),
);

/** torch's own requirements on Linux x86_64 without the nvidia-* CUDA wheels (torch 2.9.1 METADATA). */
export const TORCH_VERSION = '2.9.1';
export const TORCH_NON_NVIDIA_DEPS = [
  'filelock',
  'typing-extensions>=4.10.0',
  'sympy>=1.13.3',
  'networkx>=2.5.1',
  'jinja2',
  'fsspec>=0.8.5',
  'triton==3.5.1',
];

export const SERVICE_MODULE = 'bench_service';
export const SERVICE_PROJECT = 'bench-service';
export const SERVICE_ROOT = 'apps/bench-service';

const SERVICE_FILES: Record<string, string> = {
  '__init__.py': '"""bench-service: a flask app that also uses requests (the nx-pex benchmark workload)."""\n',
  'build_info.py': 'BUILD = "initial"\n',
  'app.py': `from flask import Flask, jsonify

from ${SERVICE_MODULE}.build_info import BUILD


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/health")
    def health():
        return jsonify(status="ok", build=BUILD)

    return app
`,
  'client.py': `import requests


def client_info() -> str:
    session = requests.Session()
    session.headers["User-Agent"] = "bench-service"
    return "requests %s" % requests.__version__
`,
  '__main__.py': `"""Import flask and requests, answer one request through flask's test client, exit."""
import sys

from ${SERVICE_MODULE}.app import create_app
from ${SERVICE_MODULE}.client import client_info


def main() -> int:
    with create_app().test_client() as client:
        response = client.get("/health")
    print(response.status_code, response.get_json(), client_info())
    return 0 if response.status_code == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
`,
};

async function write(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

/** package.json and nx.json of a bench workspace (the nx-pex plugin, no daemon); nx and nx-pex resolve from the repo above it. */
async function writeWorkspaceFiles(ws: string, name: string): Promise<void> {
  await write(join(ws, 'package.json'), JSON.stringify({ name, private: true }, null, 2) + '\n');
  await write(
    join(ws, 'nx.json'),
    JSON.stringify(
      {
        plugins: [{ plugin: 'nx-pex', options: { buildTargetName: 'build' } }],
        useDaemonProcess: false,
        analytics: false,
      },
      null,
      2,
    ) + '\n',
  );
}

/** A pyproject.toml with pinned dependencies; `entryPoint` when the module is not named after the project. */
function pyproject(name: string, pins: readonly string[], entryPoint?: string): string {
  const deps = pins.map((p) => `  "${p}",`).join('\n');
  const tool = entryPoint ? `\n[tool.nx-pex]\nentry-point = "${entryPoint}"\n` : '';
  return `[project]\nname = "${name}"\nversion = "0.1.0"\nrequires-python = ">=3.10"\ndependencies = [\n${deps}\n]\n${tool}`;
}

/**
 * An Nx workspace with the service twice: `apps/bench-service` without a lock (nx-pex resolves the
 * pins on every build) and `apps/bench-service-locked`, the same code and pins, whose pylock.toml
 * the bench writes with `nx-pex lock` (builds read it, and so does `pex --pylock`).
 */
export async function writeServiceWorkspace(
  ws: string,
): Promise<{ srcDir: string; requirementsFile: string; locked: LockedApp }> {
  await writeWorkspaceFiles(ws, 'nx-pex-bench-workspace');
  const service = async (name: string, root: string) => {
    await write(
      join(ws, root, 'pyproject.toml'),
      pyproject(name, FLASK_PINS, name === SERVICE_PROJECT ? undefined : SERVICE_MODULE),
    );
    const srcDir = join(ws, root, 'src');
    for (const [file, text] of Object.entries(SERVICE_FILES)) await write(join(srcDir, SERVICE_MODULE, file), text);
    return srcDir;
  };
  const srcDir = await service(SERVICE_PROJECT, SERVICE_ROOT);
  const lockedSrc = await service(LOCKED_SERVICE_PROJECT, LOCKED_SERVICE_ROOT);
  const requirementsFile = join(ws, 'requirements.txt');
  await write(requirementsFile, FLASK_PINS.join('\n') + '\n');
  return {
    srcDir,
    requirementsFile,
    locked: {
      project: LOCKED_SERVICE_PROJECT,
      root: LOCKED_SERVICE_ROOT,
      srcDir: lockedSrc,
      module: SERVICE_MODULE,
      lockFile: join(ws, LOCKED_SERVICE_ROOT, 'pylock.toml'),
    },
  };
}

export const LOCKED_SERVICE_PROJECT = 'bench-service-locked';
export const LOCKED_SERVICE_ROOT = 'apps/bench-service-locked';

/** The pins of scale project `i`: 2 to 4 of SCALE_PINS, a different mix for neighbouring projects. */
export function scaleProjectPins(i: number): string[] {
  const n = SCALE_PINS.length;
  const count = 2 + (i % 3);
  return Array.from({ length: count }, (_, k) => SCALE_PINS[(i * 3 + k * 2) % n]!)
    .filter((p, k, all) => all.indexOf(p) === k)
    .sort();
}

/** `p000`, `p001`, …: the scale workspace's project names (also their directories under apps/). */
export const scaleProjectName = (i: number) => `p${String(i).padStart(3, '0')}`;

/**
 * A workspace of `count` small Python apps (a module with a __main__.py that imports its pins), each
 * depending on a few of SCALE_PINS. Locks are written by the bench (shared or per project).
 */
export async function writeScaleWorkspace(ws: string, count: number): Promise<string[]> {
  await writeWorkspaceFiles(ws, `nx-pex-bench-scale-${count}`);
  const roots: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = scaleProjectName(i);
    const root = `apps/${name}`;
    const pins = scaleProjectPins(i);
    await write(join(ws, root, 'pyproject.toml'), pyproject(name, pins));
    // The import names of these distributions are their names with '-' → '_'.
    const modules = pins.map((p) => p.split('==')[0]!.replace(/-/g, '_'));
    await write(join(ws, root, 'src', name, '__init__.py'), '');
    await write(
      join(ws, root, 'src', name, '__main__.py'),
      `${modules.map((m) => `import ${m}`).join('\n')}\n\nprint("${name}")\n`,
    );
    roots.push(root);
  }
  return roots;
}

/** The one source file the "rebuild after a change" workloads rewrite before each run (`module` defaults to the service's). */
export function buildInfoFile(srcDir: string, module = SERVICE_MODULE): string {
  return join(srcDir, module, 'build_info.py');
}

/** An app of the service workspace that builds from its own pylock.toml (the build-lock and torch-lock rows). */
export interface LockedApp {
  project: string;
  /** Relative to the workspace. */
  root: string;
  srcDir: string;
  /** The entry point (`python -m <module>`); the change rows rewrite `<module>/build_info.py`. */
  module: string;
  /** Written by the bench with `nx-pex lock` before the first build. */
  lockFile: string;
}

export const TORCH_LOCKED_PROJECT = 'bench-torch-locked';
export const TORCH_LOCKED_ROOT = 'apps/bench-torch-locked';
export const TORCH_APP_MODULE = 'torch_app';

/**
 * `apps/bench-torch-locked` in the service workspace: a small app depending on torch==TORCH_VERSION
 * (the public index's Linux torch, so its lock names the nvidia-* CUDA wheels), written only when
 * the torch-lock rows run, so that the flask rows' Nx graph does not carry it.
 */
export async function writeTorchLockedApp(ws: string): Promise<LockedApp> {
  await write(
    join(ws, TORCH_LOCKED_ROOT, 'pyproject.toml'),
    pyproject(TORCH_LOCKED_PROJECT, [`torch==${TORCH_VERSION}`], TORCH_APP_MODULE),
  );
  const srcDir = join(ws, TORCH_LOCKED_ROOT, 'src');
  await write(join(srcDir, TORCH_APP_MODULE, '__init__.py'), '');
  await write(join(srcDir, TORCH_APP_MODULE, '__main__.py'), TORCH_APP_MAIN);
  await write(buildInfoFile(srcDir, TORCH_APP_MODULE), 'BUILD = "initial"\n');
  return {
    project: TORCH_LOCKED_PROJECT,
    root: TORCH_LOCKED_ROOT,
    srcDir,
    module: TORCH_APP_MODULE,
    lockFile: join(ws, TORCH_LOCKED_ROOT, 'pylock.toml'),
  };
}

/** The number of packages a pylock.toml names (its `[[packages]]` tables; PEP 751). */
export function lockPackageCount(pylock: string): number {
  return pylock.split('\n').filter((l) => l.trim() === '[[packages]]').length;
}

export const TORCH_APP_MAIN = `"""Import torch and compute something small."""
import torch

x = torch.arange(6.0).reshape(2, 3)
print("torch", torch.__version__, float(x.sum()))
`;
