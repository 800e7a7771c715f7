import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
if "KERAS_GANS_CACHE" not in os.environ:
    # Real statistics cached by the code under test go to a folder of this run
    # (subprocesses inherit it), never to the user's ~/.keras.
    import tempfile

    os.environ["KERAS_GANS_CACHE"] = tempfile.mkdtemp(prefix="keras_gans_test_cache_")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

# The tests in this process run one or two steps of tiny models, where Grappler's
# graph passes cost more than they save (a quarter of a tiny stylegan's or
# animegan's first fit). The tests that train in subprocesses (the CLI, the
# examples, README blocks, kill-and-resume runs) keep TensorFlow's defaults, so
# optimized graphs are still run (tests/replicas.py turns Grappler off itself).
tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": True})

# The modules of the slowest tests (subprocesses that train, kill and resume),
# run first: longest first keeps both workers busy to the end of the suite.
SLOW_MODULES = ("test_replicas.py", "test_multiworker.py", "test_resume.py", "test_faults.py",
                "test_readme.py", "test_examples.py")


def pytest_collection_modifyitems(config, items):
    def rank(item):
        name = item.path.name
        return SLOW_MODULES.index(name) if name in SLOW_MODULES else len(SLOW_MODULES)

    items.sort(key=rank)  # stable: each module keeps its order


def _has_module_fixture(path, _seen={}):
    if path not in _seen:
        try:
            with open(os.path.join(os.path.dirname(os.path.dirname(__file__)), path)) as f:
                _seen[path] = 'scope="module"' in f.read()
        except OSError:
            _seen[path] = False
    return _seen[path]


try:
    from xdist.scheduler import LoadScopeScheduling
except ImportError:  # pragma: no cover - pytest without xdist
    LoadScopeScheduling = None

if LoadScopeScheduling is not None:

    class _ModuleFixtureScheduling(LoadScopeScheduling):
        """Tests one at a time, except that a module with a module-scoped
        fixture (a CLI training run, a trained model) goes to one worker whole,
        so the fixture is built once. (xdist's `--dist loadgroup` would do it
        with marks, but does not group under pytest 9.)"""

        def _split_scope(self, nodeid):
            path = nodeid.split("::", 1)[0]
            return path if _has_module_fixture(path) else nodeid

    class _SchedulerPlugin:
        @staticmethod
        def pytest_xdist_make_scheduler(config, log):
            return _ModuleFixtureScheduling(config, log)


def pytest_configure(config):
    # Registered only where xdist runs (its hook is unknown under -p no:xdist).
    if LoadScopeScheduling is not None and config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_SchedulerPlugin(), "keras_gans_scheduler")


class CliResult:
    """What a `keras-gans` call gave: its exit code and what it printed."""

    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


@pytest.fixture
def cli_main(capsys, monkeypatch):
    """Runs `keras-gans ARGS` through `keras_gans.cli.main` in this process, in
    `cwd`: the code path of the command without TensorFlow's start-up (about
    13 s a call on 2 cores). Tests of the entry point itself use a subprocess.

        r = cli_main("train", "dcgn", cwd=tmp_path)
        r.returncode, r.stdout, r.stderr
    """

    def run(*args, cwd):
        from keras_gans import cli

        monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = cli.main([str(a) for a in args])
        out = capsys.readouterr()
        return CliResult(code, out.out, out.err)

    return run


def tree_snapshot(path):
    """{relative path: bytes (files) or "<dir>"} of everything under `path`
    (empty when it does not exist): compare two to show a failed command
    left what existed byte-identical and wrote nothing new."""
    out = {}
    if not os.path.exists(path):
        return out
    for root, dirs, files in os.walk(path):
        for d in dirs:
            out[os.path.relpath(os.path.join(root, d), path)] = "<dir>"
        for f in files:
            full = os.path.join(root, f)
            try:
                with open(full, "rb") as fh:
                    out[os.path.relpath(full, path)] = fh.read()
            except OSError:
                out[os.path.relpath(full, path)] = "<unreadable>"
    return out


def assert_one_clear_line(r, needle=None):
    """A bad input's answer: exit code 2, at most 3 lines on stderr, no traceback."""
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert r.returncode == 2, (r.returncode, r.stdout[-2000:], r.stderr[-2000:])
    assert 1 <= len(lines) <= 3, r.stderr
    assert "Traceback" not in r.stderr, r.stderr
    if needle is not None:
        assert needle.lower() in r.stderr.lower(), (needle, r.stderr)
