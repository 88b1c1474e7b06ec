"""Executes notebooks with a real Jupyter kernel (nbclient + ipykernel) and prints what
their code cells printed, in order: streams as they are, errors as "ENAME: evalue", results
as their text/plain. The start method comes from outside, as for the Python fixtures:
test/support/python/sitecustomize.py reads CROSSPROC_START_METHOD in the kernel.

Usage:
  python3 run_notebook.py NOTEBOOK [TIMEOUT_SECONDS]
      one notebook, its kernel started with this process's environment; its output on stdout
  python3 run_notebook.py --batch CONCURRENCY JOBS.json
      JOBS.json holds a JSON list of {"id", "notebook", "env": {NAME: value or null}, "timeout"}; each
      notebook runs in a kernel of its own, with os.environ changed by "env" (null removes a
      name), its stderr captured; at most CONCURRENCY at a time. Prints one JSON line per
      job as it ends: {"id", "stdout", "stderr", "code" (0, or 1 if it could not run), "ms"}.
      One process for many notebooks: nbclient and its imports load once, not per notebook.
"""
import asyncio
import json
import os
import sys
import tempfile
import time
import traceback

import nbformat
from nbclient import NotebookClient


def outputs(nb) -> str:
    text = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                text.append(out.text)
            elif out.output_type == "error":
                text.append(f"{out.ename}: {out.evalue}\n")
            elif out.output_type in ("execute_result", "display_data"):
                text.append(out.get("data", {}).get("text/plain", "") + "\n")
    return "".join(text)


def client_for(path: str, timeout: int):
    nb = nbformat.read(path, as_version=4)
    folder = os.path.dirname(os.path.abspath(path))
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": folder}})
    return nb, client


def main() -> int:
    path = sys.argv[1]
    timeout = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    nb, client = client_for(path, timeout)
    client.execute()
    sys.stdout.write(outputs(nb))
    return 0


async def run_job(job: dict, gate: asyncio.Semaphore) -> None:
    async with gate:
        started = time.monotonic()
        env = dict(os.environ)
        for name, value in job.get("env", {}).items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        result = {"id": job["id"], "stdout": "", "stderr": "", "code": 0}
        with tempfile.TemporaryFile(mode="w+b") as err:
            try:
                nb, client = client_for(job["notebook"], int(job.get("timeout", 60)))
                # the kernel's environment and stderr are this job's (nbclient passes them to Popen)
                await client.async_execute(env=env, stderr=err)
                result["stdout"] = outputs(nb)
            except Exception:
                result["code"] = 1
                result["stdout"] = traceback.format_exc()
            err.seek(0)
            result["stderr"] = err.read().decode("utf-8", "replace")
        result["ms"] = round((time.monotonic() - started) * 1000)
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()


async def batch(concurrency: int, jobs_file: str) -> int:
    with open(jobs_file, encoding="utf-8") as f:
        jobs = json.load(f)
    gate = asyncio.Semaphore(concurrency)
    await asyncio.gather(*(run_job(job, gate) for job in jobs))
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--batch"]:
        sys.exit(asyncio.run(batch(int(sys.argv[2]), sys.argv[3])))
    sys.exit(main())
