"""``derive check --batch`` on Dask: a LocalCluster of 2 worker processes started
here. The answers are the local batch's (apart from ``ms``), in order; a Dask
worker killed mid-run loses no line; a pair that kills every worker it runs on
is answered ``error`` and the others are answered."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from derive.batch import DaskEngine, check_records
from derive.equivalence.dask_engine import DaskPool, run_chunk

distributed = pytest.importorskip("distributed")  # the test extra installs it: CI runs these
import dask  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "equivalence_public.jsonl"


@pytest.fixture(scope="module")
def cluster():
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=None, silence_logs=50) as c:
            with distributed.Client(c) as client:
                yield c, client


def derive(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "derive.cli", *args], capture_output=True, cwd=ROOT, timeout=120)


def without_ms(data: bytes) -> list[dict]:
    return [{k: v for k, v in json.loads(line).items() if k != "ms"} for line in data.decode("utf-8").splitlines()]


def test_the_dask_answers_are_the_local_answers_line_for_line(cluster, tmp_path):
    c, _ = cluster
    lines = CORPUS.read_text(encoding="utf-8").splitlines()[:6]
    lines[5:5] = ["not json", '{"a": "x", "b": 3}', '{"id": "kept", "a": "x+x", "b": "3x"}']
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    local, dask_out = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    common = ["check", "--batch", str(src), "--timeout", "20", "--quiet"]
    a = derive(*common, "--out", str(local), "--jobs", "2")
    b = derive(*common, "--out", str(dask_out), "--scheduler", c.scheduler_address)
    assert a.returncode == b.returncode == 0, (a.stderr, b.stderr)
    assert b"Traceback" not in b.stderr
    got = without_ms(dask_out.read_bytes())
    assert got == without_ms(local.read_bytes())
    assert len(got) == len(lines)
    wrong = next(r for r in got if r.get("id") == "kept")  # the wrong twin: 2x is not 3x
    assert wrong["verdict"] == "not_equivalent" and "counterexample" in wrong
    assert [r["verdict"] for r in got[5:7]] == ["error", "error"]


def test_a_notebook_bag_of_records_gets_the_same_answers(cluster):
    import dask.bag as db

    _, client = cluster
    records = [{"n": i, "a": f"x + {i}", "b": f"{i} + x" if i % 3 else f"{i + 1} + x"} for i in range(9)]
    got = db.from_sequence(records, partition_size=3).map_partitions(
        lambda part: list(check_records(part, timeout=20))).compute()
    assert [r["n"] for r in got] == list(range(9))
    assert [r["verdict"] for r in got] == ["not_equivalent" if i % 3 == 0 else "equivalent" for i in range(9)]


def _batch(n: int) -> list[dict]:
    return [{"n": i, "a": f"x + {i}", "b": f"{i} + x"} for i in range(n)]


def test_a_dask_worker_killed_mid_run_loses_no_line(cluster):
    _, client = cluster
    client.wait_for_workers(2)

    def slow(tasks, timeout):  # each chunk takes a while: the kill lands on a running one
        time.sleep(0.8)
        return run_chunk(tasks, timeout)

    answers: list[dict] = []
    engine = DaskEngine(client, chunk=4)
    run = threading.Thread(target=lambda: answers.extend(check_records(
        _batch(24), timeout=20, pool=lambda t: DaskPool(client, t, window=4, chunk=4, task=slow))))
    run.start()
    pids = client.run(os.getpid)
    deadline = time.monotonic() + 30
    busy: list[str] = []
    while not busy and time.monotonic() < deadline:
        busy = [w for w, keys in client.processing().items() if keys]
        time.sleep(0.05)
    assert busy
    time.sleep(0.3)
    os.kill(pids[busy[0]], signal.SIGKILL)
    assert run.is_alive()  # killed mid-run
    run.join(90)
    assert [r["n"] for r in answers] == list(range(24))
    assert all(r["verdict"] == "equivalent" for r in answers), answers
    del engine


def test_a_pair_that_kills_every_worker_is_answered_error_and_its_chunk_mates_are_answered(cluster):
    _, client = cluster
    client.wait_for_workers(2)

    def fragile(tasks, timeout):  # a worker dies on the pair whose a is "boom"
        if any(pair.a == "boom" for _, pair in tasks):
            os._exit(1)
        return run_chunk(tasks, timeout)

    records = [{"n": 0, "a": "x+x", "b": "2x"}, {"n": 1, "a": "boom", "b": "x"}, {"n": 2, "a": "x", "b": "x+1"}]
    got = list(check_records(records, timeout=20,
                             pool=lambda t: DaskPool(client, t, window=2, chunk=3, task=fragile)))
    assert [r["n"] for r in got] == [0, 1, 2]
    assert [r["verdict"] for r in got] == ["equivalent", "error", "not_equivalent"]
    assert got[1]["method"] == "worker" and "died" in got[1]["reason"]
    client.wait_for_workers(2)


def _descendants(pid: int) -> set[int]:
    found, queue = set(), [pid]
    while queue:
        parent = queue.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                kids = {int(k) for k in (task / "children").read_text().split()}
            except OSError:
                continue
            queue.extend(kids - found)
            found |= kids
    return found


def test_ctrl_c_on_a_local_dask_cluster_keeps_a_complete_prefix_exits_130_and_leaves_no_process(tmp_path):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in _batch(400)))
    proc = subprocess.Popen([sys.executable, "-m", "derive.cli", "check", "--batch", str(src), "--out", str(out),
                             "--engine", "dask", "--jobs", "2", "--timeout", "20", "--quiet"], cwd=ROOT,
                            start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 90
    started: set[int] = set()
    while time.monotonic() < deadline:
        started |= _descendants(proc.pid)
        temp = list(tmp_path.glob(".out.jsonl.*.tmp"))
        if temp and temp[0].stat().st_size > 0:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: the Dask workers get it too
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert b"Traceback" not in stderr, stderr.decode()
    got = [json.loads(line) for line in out.read_text().splitlines()]
    assert 0 < len(got) < 400 and [r["n"] for r in got] == list(range(len(got)))
    assert all(r["verdict"] == "equivalent" for r in got)
    assert f"first {len(got)} answers" in stderr.decode()
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{p}").exists() for p in started) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert started and not any(Path(f"/proc/{p}").exists() for p in started)  # no process left behind


def test_without_dask_the_engine_is_refused_with_how_to_install_it(tmp_path, monkeypatch, capsys):
    from derive import cli

    src = tmp_path / "in.jsonl"
    src.write_text('{"a": "x", "b": "x"}\n')
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    code = cli.main(["check", "--batch", str(src), "--engine", "dask"])
    assert code == 2
    assert "pip install 'derive[dask]'" in capsys.readouterr().err
