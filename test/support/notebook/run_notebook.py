"""Executes a notebook with a real Jupyter kernel (nbclient + ipykernel) and prints what
its code cells printed, in order: streams as they are, errors as "ENAME: evalue", results
as their text/plain. The start method comes from outside, as for the Python fixtures:
test/support/python/sitecustomize.py reads CROSSPROC_START_METHOD in the kernel.

Usage: python3 run_notebook.py NOTEBOOK [TIMEOUT_SECONDS]
"""
import os
import sys

import nbformat
from nbclient import NotebookClient


def main() -> int:
    path = sys.argv[1]
    timeout = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    nb = nbformat.read(path, as_version=4)
    folder = os.path.dirname(os.path.abspath(path))
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": folder}})
    client.execute()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                sys.stdout.write(out.text)
            elif out.output_type == "error":
                sys.stdout.write(f"{out.ename}: {out.evalue}\n")
            elif out.output_type in ("execute_result", "display_data"):
                sys.stdout.write(out.get("data", {}).get("text/plain", "") + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
