"""Crossproc test support: run a fixture program under `python -S`, as `python ENTRY` would.

The runners start standard-library-only programs as `python -S crossproc_run.py ENTRY ARGS`.
`-S` skips the `site` module, which costs about 30 ms of CPU per interpreter on machines
whose site-packages hold `.pth` hooks (one here imports certifi, pathlib and re at every
start), and the suite starts well over a thousand interpreters: the program, and under
spawn and forkserver every worker, manager, forkserver and resource tracker, which inherit
`-S` from multiprocessing's command line. Without `site`, sitecustomize.py does not run,
so this module chooses the start method from CROSSPROC_START_METHOD itself, and appends the
interpreter's site-packages (CROSSPROC_SITE_DIRS) to sys.path, after the standard library, as
`site` does; the children need neither (spawn and forkserver pass the start method and
sys.path in their preparation data, fork inherits both).

What `python ENTRY` sets up, and this module copies: `sys.argv` (ENTRY as given, then the
arguments), `sys.path[0]` (ENTRY's directory, symlinks resolved), `__main__` with an
absolute `__file__` and no `__spec__` (multiprocessing's spawn and forkserver start the
children from that file, as `__mp_main__`), and the program's globals alive until the
interpreter exits.
"""
import io
import os
import sys


def _main():
    if len(sys.argv) < 2:
        sys.exit("usage: python -S crossproc_run.py ENTRY [ARGS...]")
    entry = sys.argv[1]
    sys.argv = sys.argv[1:]
    sys.path[0] = os.path.dirname(os.path.realpath(entry))
    # site-packages after the standard library, as `site` puts them (their .pth files unread)
    sys.path.extend(d for d in os.environ.get("CROSSPROC_SITE_DIRS", "").split(os.pathsep) if d and d not in sys.path)
    method = os.environ.get("CROSSPROC_START_METHOD")
    if method:
        import multiprocessing

        multiprocessing.set_start_method(method)
    from importlib.machinery import SourceFileLoader

    # A fresh __main__ for the program, as the interpreter makes for a script (runpy.run_path
    # would also rewrite sys.argv[0] and drop the module when the program ends). It stays in
    # sys.modules, so what the program keeps in globals lives until the interpreter exits.
    filename = os.path.abspath(entry)
    main = type(sys)("__main__")
    main.__file__ = filename
    main.__loader__ = SourceFileLoader("__main__", filename)
    main.__builtins__ = __builtins__
    sys.modules["__main__"] = main
    with io.open_code(filename) as f:
        code = compile(f.read(), filename, "exec", dont_inherit=True)
    exec(code, main.__dict__)


_main()
