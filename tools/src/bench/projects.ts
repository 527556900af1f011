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

/** An Nx workspace with the nx-pex plugin and the service; nx and nx-pex resolve from the repo above it. */
export async function writeServiceWorkspace(ws: string): Promise<{ srcDir: string; requirementsFile: string }> {
  await write(join(ws, 'package.json'), JSON.stringify({ name: 'nx-pex-bench-workspace', private: true }, null, 2) + '\n');
  await write(
    join(ws, 'nx.json'),
    JSON.stringify({ plugins: [{ plugin: 'nx-pex', options: { buildTargetName: 'build' } }], useDaemonProcess: false, analytics: false }, null, 2) + '\n',
  );
  const deps = FLASK_PINS.map((p) => `  "${p}",`).join('\n');
  await write(
    join(ws, SERVICE_ROOT, 'pyproject.toml'),
    `[project]\nname = "${SERVICE_PROJECT}"\nversion = "0.1.0"\nrequires-python = ">=3.10"\ndependencies = [\n${deps}\n]\n`,
  );
  const srcDir = join(ws, SERVICE_ROOT, 'src');
  for (const [name, text] of Object.entries(SERVICE_FILES)) await write(join(srcDir, SERVICE_MODULE, name), text);
  const requirementsFile = join(ws, 'requirements.txt');
  await write(requirementsFile, FLASK_PINS.join('\n') + '\n');
  return { srcDir, requirementsFile };
}

/** The one source file the "rebuild after a change" workload rewrites before each run. */
export function buildInfoFile(srcDir: string): string {
  return join(srcDir, SERVICE_MODULE, 'build_info.py');
}

export const TORCH_APP_MAIN = `"""Import torch and compute something small."""
import torch

x = torch.arange(6.0).reshape(2, 3)
print("torch", torch.__version__, float(x.sum()))
`;
