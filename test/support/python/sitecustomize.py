"""Crossproc test support: choose the multiprocessing start method from outside.

The fixture runner puts this folder on PYTHONPATH and sets CROSSPROC_START_METHOD
(spawn, fork or forkserver), so a fixture program runs unchanged under each method.
Python imports this module at start-up in every interpreter, including the children
that spawn/forkserver start (they inherit the environment); there it only sets the
same default before multiprocessing's own bootstrap (which sets it again with
force=True), so it is harmless. Programs that pin their own method are run without
the variable.
"""
import os

_method = os.environ.get("CROSSPROC_START_METHOD")
if _method:
    import multiprocessing

    try:
        multiprocessing.set_start_method(_method)
    except RuntimeError:
        # Already chosen in this interpreter: keep that choice.
        pass
    del multiprocessing
del os, _method
