"""Persistent Python kernel run inside the bubblewrap sandbox.

Protocol (one request at a time):
  - requests arrive on stdin as newline-delimited JSON: {"code": str, "marker": str, "outputLimit": int}
  - everything the cell prints (Python and C level, stdout and stderr) goes to fd 1, which is a
    single pipe, so the host sees it interleaved in the order it was written;
  - after a cell finishes, the kernel writes the request's marker to fd 1, then one JSON line on
    fd 3: {"images": [base64 png], "truncated": bool, "result": repr|null, "error": traceback|null}.
    The marker tells the host that all output of the cell has been read, since fd 1 and fd 3 are
    separate pipes with no ordering between them.
Limits arrive once, in the SANDBOX_LIMITS environment variable, and are applied (soft and hard)
before any user code runs, so user code cannot raise them again.
"""
import ast
import base64
import builtins
import importlib.abc
import importlib.util
import io
import json
import linecache
import os
import resource
import sys
import traceback

MAX_IMAGES_PER_CELL = 32


def apply_limits(limits):
    pairs = (
        (resource.RLIMIT_AS, limits.get("memoryBytes")),
        (resource.RLIMIT_NPROC, limits.get("processes")),
        (resource.RLIMIT_FSIZE, limits.get("fileSizeBytes")),
        (resource.RLIMIT_CORE, 0),
    )
    for kind, value in pairs:
        if value is not None:
            resource.setrlimit(kind, (int(value), int(value)))


class OutputBudget:
    """Bytes a cell may still print, shared by its stdout and stderr."""

    def __init__(self):
        self.remaining = 0
        self.truncated = False

    def reset(self, limit):
        self.remaining = limit
        self.truncated = False


class CellOutput(io.TextIOBase):
    """A text stream on fd 1 that stops writing once the cell's output budget is spent.

    Dropping excess output here keeps a print loop from pushing megabytes through the pipe;
    the host still caps what it keeps, for output written at the fd level by child processes.
    """

    def __init__(self, name, budget):
        self.name = name
        self.budget = budget

    @property
    def encoding(self):
        return "utf-8"

    def writable(self):
        return True

    def isatty(self):
        return False

    def fileno(self):
        return 1

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError("write() argument must be str, not " + type(text).__name__)
        data = text.encode("utf-8", "backslashreplace")
        budget = self.budget
        if len(data) > budget.remaining:
            data = data[: max(budget.remaining, 0)]
            budget.truncated = True
        budget.remaining -= len(data)
        write_all(1, data)
        return len(text)


def write_all(fd, data):
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


class Figures:
    """Collects matplotlib figures as PNGs: at plt.show() and for figures still open after a cell."""

    def __init__(self):
        self.images = []

    def collect(self):
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is None:
            return
        for number in pyplot.get_fignums():
            figure = pyplot.figure(number)
            try:
                if len(self.images) < MAX_IMAGES_PER_CELL:
                    buffer = io.BytesIO()
                    figure.savefig(buffer, format="png", bbox_inches="tight")
                    self.images.append(buffer.getvalue())
            finally:
                # Closed even when rendering fails, or the next cell would fail on it again.
                pyplot.close(figure)

    def take(self):
        images, self.images = self.images, []
        return images


class PyplotShowHook(importlib.abc.MetaPathFinder):
    """Replaces pyplot.show once pyplot is first imported, without importing it ourselves
    (that would cost about a second on every kernel start)."""

    def __init__(self, figures):
        self.figures = figures
        self.finding = False

    def find_spec(self, fullname, path, target=None):
        # Consulted only while pyplot is not in sys.modules, so a failed import is hooked on retry.
        if fullname != "matplotlib.pyplot" or self.finding:
            return None
        self.finding = True
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            self.finding = False
        if spec is None or spec.loader is None:
            return spec
        original_exec_module = spec.loader.exec_module
        figures = self.figures

        def exec_module(module):
            original_exec_module(module)
            module.show = lambda *args, **kwargs: figures.collect()

        spec.loader.exec_module = exec_module
        return spec


def format_exception(error):
    """A traceback without the kernel's own frames, like a notebook shows."""
    trace = error.__traceback__
    while trace is not None and trace.tb_frame.f_code.co_filename == __file__:
        trace = trace.tb_next
    return "".join(traceback.format_exception(type(error), error, trace))


class Kernel:
    def __init__(self):
        self.namespace = {"__name__": "__main__", "__builtins__": builtins}
        self.cell_count = 0
        self.budget = OutputBudget()
        self.stdout = CellOutput("<stdout>", self.budget)
        self.stderr = CellOutput("<stderr>", self.budget)
        self.figures = Figures()
        self.pid = os.getpid()

    def run_cell(self, code):
        """Runs a cell; returns (repr of a trailing expression, traceback), either may be None.

        Both come back in the reply instead of through the output budget, so a traceback still
        shows after a cell that printed too much. They come last in a notebook anyway."""
        self.cell_count += 1
        filename = "<cell %d>" % self.cell_count
        # Registered so tracebacks can show the offending source line.
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        result = error = None
        try:
            tree = ast.parse(code, filename, "exec")
            trailing = None
            if tree.body and isinstance(tree.body[-1], ast.Expr):
                trailing = ast.Expression(tree.body.pop().value)
            exec(compile(tree, filename, "exec"), self.namespace)
            if trailing is not None:
                value = eval(compile(trailing, filename, "eval"), self.namespace)
                if value is not None:
                    self.namespace["_"] = value
                    result = repr(value)
        except SystemExit as exit_request:
            error = "SystemExit: %s\n" % (exit_request.code,)
        except BaseException as raised:  # user code may raise anything, KeyboardInterrupt included
            error = format_exception(raised)
        if os.getpid() != self.pid:
            # A process the cell forked fell out of the cell: it must not act as the kernel.
            os._exit(0)
        try:
            self.figures.collect()
        except Exception as raised:
            error = (error or "") + "Could not render figures: " + format_exception(raised)
        return result, error

    def clip(self, text, limit):
        """A repr or traceback can be huge too (a long list, an exception quoting its input)."""
        if text is None or len(text) <= limit:
            return text
        self.budget.truncated = True
        return text[:limit]

    def serve(self, requests, responses):
        sys.meta_path.insert(0, PyplotShowHook(self.figures))
        write_all(responses, b'{"ready": true}\n')
        for line in requests:
            request = json.loads(line)
            # Reset every cell: an earlier cell may have replaced them.
            sys.stdout, sys.stderr = self.stdout, self.stderr
            limit = int(request["outputLimit"])
            self.budget.reset(limit)
            result, error = self.run_cell(request["code"])
            result, error = self.clip(result, limit), self.clip(error, limit)
            write_all(1, request["marker"].encode("ascii"))
            reply = {
                "images": [base64.b64encode(image).decode("ascii") for image in self.figures.take()],
                "truncated": self.budget.truncated,
                "result": result,
                "error": error,
            }
            write_all(responses, (json.dumps(reply) + "\n").encode("ascii"))


def main():
    limits = json.loads(os.environ.pop("SANDBOX_LIMITS", "{}"))
    # Requests move to a private fd; user code reading stdin sees /dev/null, not the protocol.
    requests = os.fdopen(os.dup(0), "rb")
    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    responses = os.dup(3)
    os.close(3)
    # stderr joins stdout so the host receives one interleaved stream.
    os.dup2(1, 2)
    # Like a notebook, modules saved in the work dir are importable (instead of the kernel's own dir).
    sys.path[0] = os.getcwd()
    apply_limits(limits)
    Kernel().serve(requests, responses)


if __name__ == "__main__":
    main()
