"""``derive check --batch`` under faults: bad bytes, hostile JSON, dead workers,
signals, unwritable outputs; and `derive recheck` on malformed certificates.

The contract: one answer per non-blank input line, in order, as valid UTF-8
JSON; a bad line gets its own ``error`` line; an interruption keeps a complete
prefix of the answers; no worker outlives the command; never a traceback.
"""
from __future__ import annotations

import glob
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from derive.core.jsontext import JSONLimit, read_json
from derive.core.limits import limit_reason
from derive.core.workers import Done, Failed, WorkerPool
from derive.equivalence import batch

ROOT = Path(__file__).resolve().parents[1]
CERTIFICATE = ROOT / "outputs" / "categorical-cross-entropy.json"


def derive(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "derive.cli", *args], capture_output=True, cwd=ROOT,
                          timeout=kw.pop("timeout", 120), **kw)


def no_traceback(stderr: bytes | str) -> None:
    text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
    assert "Traceback" not in text, text


def rows(data: bytes) -> list[dict]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def nested(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


# -- bad lines -----------------------------------------------------------------
def test_every_kind_of_bad_line_gets_its_own_error_and_the_rest_are_answered(tmp_path):
    good = json.dumps({"id": "good", "a": "x + x", "b": "2x"}).encode()
    lines = [
        good,
        b'{"id": "bad-byte", "a": "x", "b": "x\xff"}',                    # not UTF-8
        b'{"id": "\\ud800", "a": "x", "b": "x"}',                         # lone surrogate, pass-through
        b'{"a": "x\\udfff", "b": "x"}',                                   # lone surrogate in a formula
        b'{"a": "x", "b": "x", "deep": ' + nested(500).encode() + b"}",   # too deep to pickle before
        b'{"a": "x", "b": "x", "deep": ' + nested(1000).encode() + b"}",  # too deep for json before
        b'{"a": "x", "b": "x", "n": ' + b"9" * 5000 + b"}",              # past Python's digit limit
        b'{"a": "x", "b": "x", "n": 1e999}',                              # infinity
        b'{"a": "x", "b": "x", "n": NaN}',                                # not JSON
        b"[1, 2]",                                                         # not an object
        b"",                                                               # blank: skipped
        b'{"a": "x", "b": ',                                               # cut short
        b'{"a": "x", "b": "x", "domains": {"x": ["real"]}}',               # domains of the wrong shape
        good,
    ]
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(b"\n".join(lines) + b"\n")
    proc = derive("check", "--batch", str(src), "--out", str(out), "--jobs", "2", "--timeout", "60", "--quiet")
    no_traceback(proc.stderr)
    assert proc.returncode == 0, proc.stderr
    raw = out.read_bytes()
    raw.decode("utf-8")  # valid UTF-8 throughout
    got = rows(raw)
    assert len(got) == len(lines) - 1  # the blank line has no answer
    v = [r["verdict"] for r in got]
    assert v[0] == v[-1] == "equivalent" and got[0]["id"] == got[-1]["id"] == "good"
    assert got[1]["verdict"] == "error" and got[1]["line"] == 2 and "not UTF-8" in got[1]["reason"]
    assert got[2]["id"] == "\ud800" and v[2] == "equivalent"  # the surrogate comes back as it came
    assert b'"\\ud800"' in raw.splitlines()[2]
    assert v[3] == "error" and got[3]["a"] == "x\udfff"
    assert "nested too deeply" in got[4]["reason"] and got[4]["line"] == 5
    assert "nested too deeply" in got[5]["reason"]
    assert "5000 digits" in got[6]["reason"]
    assert "out of range" in got[7]["reason"]
    assert "NaN is not a JSON value" in got[8]["reason"]
    assert "must be a JSON object" in got[9]["reason"]
    assert got[10]["line"] == 12 and "not JSON" in got[10]["reason"]  # numbered as in the file
    assert v[11] == "error" and "domains" in got[11]["reason"]


def test_pass_through_keys_are_not_sent_to_workers():
    deep: list = []
    for _ in range(5000):  # far past what pickle or json could carry
        deep = [deep]
    record = {"a": "x", "b": "x", "deep": deep, "id": 7}
    [answer] = batch.check_records([record], timeout=60)
    assert answer["verdict"] == "equivalent" and answer["deep"] is deep and answer["id"] == 7


def test_an_answer_with_a_lone_surrogate_is_valid_utf8_json_that_reads_back_the_same():
    answer = {"id": "a\ud800b", "verdict": "error", "note": "é"}
    line = batch.answer_line(answer)
    assert json.loads(line.decode("utf-8")) == answer
    assert batch.answer_line({"note": "é"}) == '{"note": "é"}\n'.encode()  # plain text stays plain


def test_json_reader_bounds():
    assert read_json(nested(64)) == json.loads(nested(64))
    for text, why in [(nested(65), "nested too deeply"), ("9" * 4301, "4301 digits"), ("-1e400", "out of range"),
                      ("Infinity", "not a JSON value"), ('{"a": "x', "not JSON"), ('"[[[["', None)]:
        if why is None:
            assert read_json(text) == "[[[["  # brackets inside strings do not count
            continue
        with pytest.raises(JSONLimit, match=why):
            read_json(text)
    with pytest.raises(JSONLimit, match="lone surrogate"):
        read_json('{"k": ["\\ud800"]}', text_only=True)
    assert read_json('"\\ud83d\\ude00"', text_only=True) == "\U0001F600"  # a proper pair is text


def test_arithmetic_limits_are_answered_as_limits(monkeypatch):
    assert "grew past" in limit_reason(OverflowError("int too large to convert to float"))
    assert "digits" in limit_reason(ValueError("Exceeds the limit (4300 digits) for integer string conversion"))
    assert limit_reason(ValueError("too many digits in integer")) is not None
    assert limit_reason(ValueError("keys a and b")) is None and limit_reason(KeyError("x")) is None

    def overflow(*_a, **_k):
        raise OverflowError("int too large to convert to float")

    monkeypatch.setattr(batch, "check", overflow)
    out = batch.record({"a": "x", "b": "x"}, 5)
    assert out["verdict"] == "unknown" and out["method"] == "limits" and "internal" not in out["reason"]


# -- the worker pool -----------------------------------------------------------
def _work(payload):
    kind, value = payload
    if kind == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    if kind == "die-once":  # dies on its first try only
        marker = Path(value)
        if not marker.exists():
            marker.write_text("died")
            os.kill(os.getpid(), signal.SIGKILL)
    if kind == "sleep":
        time.sleep(value)
    if kind == "pid":
        return os.getpid()
    return value


def _run(pool: WorkerPool, tasks: dict) -> dict:
    todo, out = list(tasks.items()), {}
    while todo or pool.pending():
        while todo and pool.idle():
            pool.submit(*todo.pop(0))
        out.update(pool.collect())
    return out


def test_a_worker_killed_while_busy_is_replaced_its_task_retried_once_then_given_up(tmp_path):
    with WorkerPool(_work, 2, timeout=30) as pool:
        out = _run(pool, {1: ("echo", "one"), 2: ("die", None), 3: ("die-once", str(tmp_path / "m")),
                          4: ("echo", "four")})
    assert out[1] == Done("one") and out[4] == Done("four")
    assert out[3] == Done(str(tmp_path / "m"))  # the retry on a fresh worker answered
    assert isinstance(out[2], Failed) and "died 2 times" in out[2].reason and "SIGKILL" in out[2].reason


def test_a_worker_killed_while_idle_is_replaced_silently():
    with WorkerPool(_work, 1, timeout=30) as pool:
        first = _run(pool, {1: ("pid", None)})[1].value
        os.kill(first, signal.SIGKILL)
        time.sleep(0.2)
        second = _run(pool, {2: ("pid", None), 3: ("echo", 3)})
    assert isinstance(second[2], Done) and second[2].value != first and second[3] == Done(3)


def test_a_worker_that_stops_reading_is_not_written_into_forever():
    with WorkerPool(_work, 1, timeout=1.5) as pool:
        pid = _run(pool, {1: ("pid", None)})[1].value
        os.kill(pid, signal.SIGSTOP)  # stopped: reads nothing, answers nothing
        started = time.monotonic()
        out = _run(pool, {2: ("echo", "x" * 30_000), 3: ("echo", 3)})
    assert time.monotonic() - started < 15
    assert isinstance(out[2], Failed) and out[2].timed_out
    assert out[3] == Done(3)
    with pytest.raises(ValueError, match="larger than"):
        WorkerPool(_work, 1, timeout=1).submit(9, ("echo", "x" * 100_000))


# -- signals -------------------------------------------------------------------
def _children(pid: int) -> set[int]:
    found = set()
    for path in glob.glob(f"/proc/{pid}/task/*/children"):
        found |= {int(p) for p in Path(path).read_text().split()}
    return found


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def _slow_batch(tmp_path: Path, n: int = 40) -> Path:
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"n": i, "a": f"x + {i}", "b": f"{i} + x"}) + "\n" for i in range(n)))
    return src


@pytest.mark.parametrize("how, code", [("ctrl-c", 130), ("sigterm", 143), ("sigkill", -9)])
def test_stopping_a_batch_keeps_a_complete_ordered_prefix_and_leaves_no_worker(tmp_path, how, code):
    src, out = _slow_batch(tmp_path, 400), tmp_path / "out.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "derive.cli", "check", "--batch", str(src), "--out", str(out),
                             "--jobs", "2", "--timeout", "60", "--quiet"], cwd=ROOT, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 90
    workers: set[int] = set()
    while time.monotonic() < deadline:  # wait for workers and some finished answers
        workers |= _children(proc.pid)
        temp = list(tmp_path.glob(".out.jsonl.*.tmp"))
        if len(workers) >= 2 and temp and temp[0].stat().st_size > 0:
            break
        time.sleep(0.1)
    if how == "ctrl-c":
        os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: the whole group
    else:
        os.kill(proc.pid, signal.SIGTERM if how == "sigterm" else signal.SIGKILL)
    _, stderr = proc.communicate(timeout=60)
    no_traceback(stderr)
    assert proc.returncode == code, stderr
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert workers and not any(_alive(w) for w in workers)  # no orphan
    if how == "sigkill":
        return  # nothing could be kept: the parent had no chance
    got = rows(out.read_bytes())
    assert 0 < len(got) < 400
    assert [r["n"] for r in got] == list(range(len(got)))
    assert all(r["verdict"] == "equivalent" for r in got)
    assert f"first {len(got)} answers" in stderr.decode()


def test_an_interruption_inside_the_final_commit_still_keeps_every_line(tmp_path, monkeypatch):
    from derive.core import fsutil

    sink = fsutil.LineFile(tmp_path / "out.jsonl")
    sink.write(b'{"n": 0}\n')
    sink.write(b'{"n": 1}\n')
    real, calls = os.fsync, []

    def interrupted_once(fd):
        calls.append(fd)
        if len(calls) == 1:
            raise KeyboardInterrupt
        real(fd)

    monkeypatch.setattr(fsutil.os, "fsync", interrupted_once)
    with pytest.raises(KeyboardInterrupt):
        sink.commit()
    assert not (tmp_path / "out.jsonl").exists()
    sink.commit()  # what the interruption handler does
    sink.commit()  # and again: nothing more
    assert rows((tmp_path / "out.jsonl").read_bytes()) == [{"n": 0}, {"n": 1}]
    assert list(tmp_path.iterdir()) == [tmp_path / "out.jsonl"]


# -- outputs that cannot be written --------------------------------------------
def test_an_unwritable_out_is_refused_before_any_work(tmp_path, capsys):
    from derive.cli import main

    src = _slow_batch(tmp_path, 200)
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    for target in (blocker / "out.jsonl", tmp_path):
        started = time.monotonic()
        assert main(["check", "--batch", str(src), "--out", str(target), "--quiet"]) == 2
        assert time.monotonic() - started < 5  # 200 pairs would take far longer
        assert str(target) in capsys.readouterr().err
    assert main(["build", "--out", str(blocker / "proofs")]) == 2
    assert f"{blocker / 'proofs'}: cannot write: {blocker} is not a folder" in capsys.readouterr().err


# -- Ctrl-C elsewhere ----------------------------------------------------------
@pytest.mark.parametrize("command", [["build"], ["verify"]])
def test_ctrl_c_on_build_and_verify_exits_130_without_traceback(tmp_path, command):
    if command == ["build"]:
        args = ["build", "--out", str(tmp_path / "proofs")]
    else:
        example = sorted((ROOT / "examples").glob("*.tex"))[0]
        args = ["verify", *[str(example)] * 6]
    proc = subprocess.Popen([sys.executable, "-m", "derive.cli", *args], cwd=ROOT, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline, workers = time.monotonic() + 60, set()
    while time.monotonic() < deadline and not workers:
        workers |= _children(proc.pid)
        time.sleep(0.1)
    time.sleep(1.0)
    workers |= _children(proc.pid)
    os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    no_traceback(stderr)
    assert proc.returncode == 130, stderr
    time.sleep(0.5)
    assert not any(_alive(w) for w in workers)


# -- recheck on malformed certificates -----------------------------------------
def _malformed(tmp_path: Path) -> dict[str, str | bytes]:
    text = CERTIFICATE.read_text(encoding="utf-8")
    data = json.loads(text)
    zoo = json.loads(text)
    zoo["steps"][1]["srepr"] = "Indexed(IndexedBase(Symbol('zoo')), Symbol('i'))"
    sur = json.loads(text)
    sur["name"] = "\ud800"
    return {
        "huge-integer": text.replace('"index": 1', '"index": ' + "9" * 5001, 1),
        "huge-integer-srepr": json.dumps({**data, "start": "Integer(" + "9" * 5000 + ")"}),
        "lone-surrogate": json.dumps(sur),
        "undeclared-zoo": json.dumps(zoo),
        "nan": text.replace('"index": 1', '"index": NaN', 1),
        "infinity": text.replace('"index": 1', '"index": 1e999', 1),
        "deep": '{"format": ' + nested(5000) + "}",
        "not-utf8": text.encode("utf-8").replace(b"Categorical", b"Cat\xffgorical", 1),
        "not-an-object": "[]",
        "empty": "",
    }


def test_recheck_answers_every_malformed_certificate_with_exit_2_and_a_message(tmp_path):
    paths = []
    for name, content in _malformed(tmp_path).items():
        path = tmp_path / f"{name}.json"
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass"))
        paths.append(path)
    proc = derive("recheck", "--timeout", "60", *map(str, paths))  # one bad file does not stop the others
    no_traceback(proc.stderr)
    assert proc.returncode == 2 and not proc.stdout.strip(), proc.stdout
    messages = proc.stderr.decode().splitlines()
    assert len(messages) == len(paths)
    for path, message in zip(paths, messages):
        assert message.startswith(f"derive: {path}: "), message


def test_recheck_reports_an_unnamed_malformation_as_bad_input(tmp_path, monkeypatch, capsys):
    from derive import cli

    def broken(path):
        raise KeyError("zoo")

    monkeypatch.setattr(cli, "recheck_file", broken)
    assert cli.main(["recheck", str(CERTIFICATE)]) == 2
    assert "not a valid certificate" in capsys.readouterr().err


# -- fuzz: mutated batch files -------------------------------------------------
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

CORPUS_LINES = [line.encode() for line in (ROOT / "tests" / "data" / "equivalence_public.jsonl")
                .read_text(encoding="utf-8").splitlines() if line.strip()]
ANSWER_KEYS = {"verdict", "method", "reason", "ms", "counterexample", "notes", "line"}


def _stub_answer(pair: batch.Pair) -> dict:
    """A fast stand-in for the checker, so the fuzz exercises the batch machinery;
    it dies on a marked pair, as a worker out of memory would."""
    if "\\die" in pair.a:
        os.kill(os.getpid(), signal.SIGKILL)
    return {"verdict": "equivalent" if pair.a == pair.b else "not_equivalent", "method": "stub",
            "reason": pair.a[:20], "ms": 0.0}


def _json_mutation(line: bytes, choice: int, value) -> bytes:
    obj = json.loads(line)
    key = ["a", "b", "domains", "id", "extra"][choice % 5]
    replacements = ["\ud800", 10 ** 40, nested(100), ["x"], {"y": {"z": None}}, "\\die x", None, True, -0.5, ""]
    replacement = replacements[value % len(replacements)]
    if isinstance(replacement, str) and replacement.startswith("[["):
        return line[:-1] + b', "deep": ' + replacement.encode() + b"}"
    obj[key] = replacement
    text = json.dumps(obj)
    return text.replace("10000000000000000000000000000000000000000", "9" * 5000).encode() if value == 1 else text.encode()


_TOKENS = [b"{", b"}", b"[", b"]", b'"', b",", b":", b"\\", b"\\u", b"\\ud800", b"\n", b"\r\n", b"\xff", b"\xc3",
           b"\x00", b" ", b"1e999", b"NaN", b"-", b"true"]


@st.composite
def batch_files(draw) -> bytes:
    lines = draw(st.lists(st.sampled_from(CORPUS_LINES), min_size=1, max_size=8))
    lines = [ln.replace(b"{", b'{"n": %d, ' % i, 1) for i, ln in enumerate(lines)]
    for i in range(len(lines)):
        kind = draw(st.integers(0, 3))
        if kind == 1:  # JSON level
            lines[i] = _json_mutation(lines[i], draw(st.integers(0, 9)), draw(st.integers(0, 9)))
        elif kind == 2:  # token level
            at = draw(st.integers(0, len(lines[i])))
            token = draw(st.sampled_from(_TOKENS))
            cut = draw(st.integers(0, 3))
            lines[i] = lines[i][:at] + token + lines[i][at + cut:]
    data = b"\n".join(lines) + b"\n"
    if draw(st.booleans()):  # byte level
        for _ in range(draw(st.integers(1, 4))):
            at = draw(st.integers(0, len(data) - 1))
            data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1:]
    return data


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=batch_files())
def test_fuzz_mutated_batch_files_get_one_answer_per_line_in_order(data):
    import io

    original = batch.answer
    batch.answer = _stub_answer
    try:
        answers = list(batch.run_batch(batch.read_lines(io.BytesIO(data)), jobs=2, timeout=10))
    finally:
        batch.answer = original
    lines = [ln for ln in data.split(b"\n") if ln.strip()]
    assert len(answers) == len(lines)
    for number, (line, answer) in enumerate(zip(lines, answers)):
        out = json.loads(batch.answer_line(answer).decode("utf-8"))  # valid UTF-8 JSON
        assert out["verdict"] in {"equivalent", "not_equivalent", "unknown", "error"}
        try:
            parsed = batch.parse_line(line)
        except batch.BadLine:
            assert out["verdict"] == "error" and "line" in out
            continue
        if isinstance(parsed, dict):  # its own keys came back: the order is kept
            assert all(out[k] == v for k, v in parsed.items() if k not in ANSWER_KEYS)
            if isinstance(parsed.get("a"), str) and "\\die" in parsed["a"] and isinstance(parsed.get("b"), str):
                assert out["verdict"] in ("unknown", "error")
