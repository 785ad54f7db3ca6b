"""The ``derive`` command: arguments, exit codes and output formats only.

Exit status: 0 holds; 1 does not hold (a step failed, a certificate was
rejected); 2 bad input or usage; 3 undecided (a step stayed unchecked).
"""
from __future__ import annotations

import argparse
import json
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .checks.results import STATUS_TEXT, Status
from .core.fsutil import WriteError, writable_folder
from .core.kinds import KIND_NAMES
from .core.progress import emit, progress, uninterrupted, warn
from .core.limits import ChildFailed, TimedOut, call_with_timeout
from .core.suggest import did_you_mean
from .core.workers import Stopped, raise_stopped

if TYPE_CHECKING:
    from .checks.results import Report
    from .core.refutation import RefutationReport

EXIT_HOLDS, EXIT_FAILS, EXIT_USAGE, EXIT_UNDECIDED = 0, 1, 2, 3
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
EXIT_INTERRUPTED = 130  # Ctrl-C; a signal N gives 128 + N (SIGTERM: 143)

EXAMPLES = """\
examples:
  derive list                                   the built-in derivations and their status
  derive show categorical-cross-entropy         the proof as text, with each step's checks
  derive show bernoulli-binary-cross-entropy --format latex > bce.tex
  derive build                                  check everything, write outputs/*.tex .md .json
  derive build --out /tmp/proofs --pdf          the same, and compile PDFs with latexmk
  derive recheck outputs/*.json                 re-verify certificates without the rules
  derive check '\\log(ab)' '\\log a + \\log b' --domain a=positive --domain b=positive
  derive loss '\\prod_{i=1}^{N} \\lambda e^{-\\lambda x_i}' --param '\\lambda' --domain '\\lambda=positive'
                                                a derivation from your likelihood, found and checked

exit status: 0 holds, 1 does not hold (a step failed), 2 bad input or usage,
3 undecided (a step could not be checked).
"""


CHECK_EXAMPLES = r"""examples:
  derive check '\log\prod_{i=1}^{N} a_i' '\sum_{i=1}^{N}\log a_i' --domain a=positive
  derive check '\sum_{k=1}^{K}\mathbb{1}\{t=k\}\log\pi_k' '\log\pi_t' --domain t=label
  derive check '-\frac{1}{N}\sum_{i=1}^{N}\sum_{k=1}^{C} y_{i,k}\log\hat{y}_{i,k}' categorical-cross-entropy
  derive check '\frac{1}{1+e^{-x}}' '\frac{e^x}{1+e^x}' --json
  derive check --batch pairs.jsonl --out answers.jsonl --jobs 2 --timeout 5
  derive check --batch pairs.jsonl --out answers.jsonl --scheduler tcp://10.0.0.5:8786

notation read, by family (README: "Checking a formula"):
  names      y, \hat{y}, \mathbf{x}, \mathrm{CE} \text{NLL} (one name), q' (a new name),
             bare log ln exp (the functions), e \pi (constants), pasted Unicode (β − × ·)
  scripts    y_i, y_{i,k}, p_i^{(k)}, g(x) with index arguments, x^2
  sums       \sum and \prod with bounds or without (the whole range), \sum_{k \neq y}
  functions  \log \log_2 \ln \exp, \sin \cos \tan \sec.. \sinh.. \arcsin.. (\sin^2 x, \sin^{-1} x),
             \sqrt[n], \binom, \lfloor \lceil, \gcd \lcm, \mod, \max \min, \sigma(z), softmax(z)_k,
             softplus ReLU erf sign logsumexp; \operatorname{name}(..) of another name: unknown function
  brackets   ( ) [ ] \{ \} |x| \vert \lvert \left \mleft \bigl.., \frac \dfrac \tfrac \cfrac, \boxed
  numbers    decimals exactly, 2.5E2 1e-3 (scientific), 1\frac12 (the mixed number 3/2)
  indicators \mathbb{1}\{y=k\}, [y=k], 1_{y=k}, \delta_{y,k}
  calls      p(x_i) \lambda(f_i) (an unknown function at an element), p(y=1 \mid x) (one unknown probability)
  distributions  pmf or density at the value before \mid or ; (parameters taken in their domains):
             \mathcal{N}(x \mid \mu, \sigma^2) (Normal, Gaussian), Bern(y \mid p) (Ber, Bernoulli),
             Cat(y \mid \pi) (Categorical), Poisson(k; \lambda) (Pois, Poiss), Laplace(x; \mu, b) (Lap),
             Exp(x; \lambda) (Exponential, Expon), Beta(x; \alpha, \beta), Binomial(k; n, p) (Bin, Binom),
             each in \mathrm \operatorname \text \textrm or \mathsf
  expectations  \mathbb{E}_{x \sim p}[..] (\sum_x p_x ..), \mathbb{E}_{y \sim \mathrm{Bern}(p)}[..] (the pmf-
             weighted sum over the finite support); over a density or a Poisson: refused
  derivatives \frac{d}{dx} f, \frac{\partial L}{\partial z_j}, \frac{\partial^2 f}{\partial x^2}, \partial_{x} f,
             \nabla_{w} f, \sigma'(z)
  vectors    w^\top x, w^T x, w^{\mathsf{T}} x (dot products: sums over the entries; w^T x with a note),
             x_i as row i (w^\top x_i = \sum_j w_j x_{i,j}), \|x\| \|x\|_2 \|x\|_1 \lVert..\rVert \norm{x},
             \langle a, b \rangle; bold is typography (\mathbf{w} is w)
  integrals  \int_{-\infty}^{\infty} .. dx (or \int .. dx, over the real line) of a Gaussian density
             written out times a polynomial or the log of Gaussians (KL, entropy): closed form;
             times |x - m|, a sigmoid or softplus: quadrature (numeric evidence, never proved)
Readings a text leaves open get a note or exit 2, never a guess.

exit status: 0 equivalent, 1 not equivalent, 2 bad input or usage, 3 unknown (undecided or timeout).
with --batch: 0 when every line got an answer (see each line's verdict), 2 for an unreadable file.
"""

LOSS_EXAMPLES = r"""examples:
  derive loss '\prod_{i=1}^{N} \lambda e^{-\lambda x_i}' --param '\lambda' --domain '\lambda=positive' --domain x=positive
  derive loss '\prod_{i=1}^{N} \mathrm{Bern}(y_i \mid \sigma(w x_i + b))' --param w --param b --format markdown
  derive loss '\prod_{i=1}^{N} \hat{y}_i^{y_i} (1-\hat{y}_i)^{1-y_i}' --domain y=binary --domain '\hat{y}=prob' --out proofs

exit status: 0 derived and every step checked, 1 a step fails its check, 2 bad input (not a product over
samples, a --param that does not occur, a domain where the log is undefined), 3 no derivation found
within the budget (the closest line and what still differs are printed).
"""


def _print_derivation(derivation, report, fmt: str) -> int:
    """Print a checked derivation in ``fmt`` (text, latex, markdown, json); its exit status."""
    from .certificates.derivation import dumps, to_json
    from .render.latex import document
    from .render.markdown import derivation_markdown
    from .render.text import derivation_text

    renderers = {
        "text": lambda: derivation_text(derivation, report),
        "latex": lambda: document(derivation, report),
        "markdown": lambda: derivation_markdown(derivation, report),
        "json": lambda: dumps(to_json(derivation, report)),
    }
    sys.stdout.write(renderers[fmt]())
    return _exit_for(report)


def _exit_for(report: Report) -> int:
    if report.status is Status.FAILED:
        return EXIT_FAILS
    if report.status is Status.UNCHECKED:
        return EXIT_UNDECIDED
    return EXIT_HOLDS


def _refutation_exit(report: RefutationReport) -> int:
    """A refutation holds (0) when its counterexample is confirmed, else it fails (1)."""
    return EXIT_HOLDS if report.refuted else EXIT_FAILS


def _worse(a: int, b: int) -> int:
    """The exit code to report for two outcomes: a failure wins, then the larger code."""
    return max(a, b, key=lambda c: (c == EXIT_FAILS, c))


def _get(name: str):
    from . import catalogue

    try:
        return catalogue.get(name)
    except KeyError:
        every = catalogue.names() + catalogue.refutation_names()
        raise UsageError(f"no built-in derivation named {name!r}{did_you_mean(name, every)}; "
                         f"known: {', '.join(every)}") from None


class UsageError(Exception):
    """Bad input: reported on stderr with exit status 2."""


def cmd_list(args) -> int:
    from .listing import rows

    found = [vars(r) for r in rows(say=lambda text: print(text, file=sys.stderr))]
    if args.json:
        print(json.dumps(found, indent=2))
    else:
        width = max(len(r["name"]) for r in found)
        for r in found:
            print(f"{r['name']:<{width}}  {STATUS_TEXT[r['status']]:<18}  {r['title']}")
    return EXIT_HOLDS


def cmd_show(args) -> int:
    from . import catalogue
    from .checks.steps import check_derivation

    if args.name in catalogue.refutation_names():
        return _show_refutation(args)
    derivation = _get(args.name)
    report = check_derivation(derivation)
    return _print_derivation(derivation, report, args.format)


def _show_refutation(args) -> int:
    from . import catalogue
    from .certificates import refutation as refutation_certificate
    from .certificates.derivation import dumps
    from .core.refutation import refute
    from .render import refutation as refutation_render

    claim = catalogue.get_refutation(args.name)
    report = refute(claim)
    renderers = {
        "text": lambda: refutation_render.text(claim, report),
        "latex": lambda: refutation_render.document(claim, report),
        "markdown": lambda: refutation_render.markdown(claim, report),
        "json": lambda: dumps(refutation_certificate.to_json(claim, report)),
    }
    sys.stdout.write(renderers[args.format]())
    return _refutation_exit(report)


def cmd_build(args) -> int:
    from . import catalogue
    from .build import CompileError, NoLatex, build_each, chosen_names, compile_pdf, latex_tools
    from .checks.results import Report

    names = args.names or None
    for name in names or []:
        if name not in catalogue.refutation_names():
            _get(name)
    out = Path(args.out)
    if args.pdf:
        try:
            latex_tools()
        except NoLatex as exc:
            raise UsageError(str(exc)) from None
    writable_folder(out)  # before the work
    total = len(chosen_names(names))
    worst, written = EXIT_HOLDS, 0
    bar = progress(total, "derivation")
    try:
        for b in build_each(out, names):
            with uninterrupted():  # the line printed and the count stay in step
                written += 1
                bar.update(1)
                emit(f"{b.name:<34} {STATUS_TEXT[b.status]:<18} -> {', '.join(str(f) for f in b.files)}")
            worst = _worse(worst, _exit_for(b.report) if isinstance(b.report, Report) else _refutation_exit(b.report))
            if args.pdf:
                try:
                    emit(f"{'':<34} {'pdf':<18} -> {compile_pdf(out / (b.name + '.tex'))}")
                except (CompileError, subprocess.TimeoutExpired) as exc:
                    print(f"derive: {exc}", file=sys.stderr)
                    worst = EXIT_FAILS
    except (KeyboardInterrupt, Stopped) as exc:
        bar.close()
        index = "; the index README.md was not updated" if names is None else ""
        print(f"\nderive: stopped; {written} of {total} derivations were written to {out} "
              f"(each with its files complete), the others were not{index}", file=sys.stderr)
        return EXIT_INTERRUPTED if isinstance(exc, KeyboardInterrupt) else 128 + exc.signum
    bar.close()
    return worst


def recheck_file(path: str) -> tuple[int, dict, list[str]]:
    """Recheck one certificate: exit code, JSON result, and lines of text."""
    from .certificates import refutation as refutation_certificate
    from .certificates.derivation import load, recheck

    data = load(path)
    if refutation_certificate.is_refutation(data):
        return recheck_refutation_file(path, data)
    outcome = recheck(data)
    report = outcome.report
    code = EXIT_FAILS if outcome.display_mismatches or outcome.overclaims else _exit_for(report)
    failing = [(sr.step, sr.failure) for sr in report.steps if sr.failure is not None]
    result = {
        "file": str(path), "name": outcome.derivation.name, "status": report.status.value,
        "holds": outcome.holds,
        "steps": [{"step": sr.step, "status": sr.status.value} for sr in report.steps],
        "failures": [{"step": n, **f.to_json()} for n, f in failing],
        "latex_mismatch_steps": list(outcome.display_mismatches),
        "overclaims": [o.to_json() for o in outcome.overclaims],
    }
    verdict = "OK" if outcome.holds else ("REJECTED" if code == EXIT_FAILS else "UNDECIDED")
    lines = [f"{path}: {verdict} ({STATUS_TEXT[report.status.value]}, {len(report.steps)} steps)"]
    lines += [f"  step {n} failed ({f.obligation}, {f.kind}): {f.detail}" for n, f in failing]
    for n in outcome.display_mismatches:
        what = f"step {n}" if n else "the start line or a definition"
        lines.append(f"  {what}: the LaTeX shown does not match the expression checked")
    lines += [f"  {o.describe()}" for o in outcome.overclaims]
    for sr in report.steps:
        if sr.status is Status.UNCHECKED:
            reasons = "; ".join(r.detail for r in sr.results if r.status is Status.UNCHECKED)
            lines.append(f"  step {sr.step} unchecked: {reasons}")
    return code, result, lines


def recheck_refutation_file(path: str, data: dict) -> tuple[int, dict, list[str]]:
    """Recheck a refutation: the recorded point must lie in the domains and refute the claim."""
    from .certificates import refutation as refutation_certificate

    outcome = refutation_certificate.recheck(data)
    report = outcome.report
    code = EXIT_HOLDS if outcome.holds else EXIT_FAILS
    result = {"file": str(path), "name": outcome.claim.name, "kind": "refutation",
              "status": report.outcome.value, "holds": outcome.holds, "detail": report.detail,
              "latex_mismatch": outcome.display_mismatch}
    verdict = "OK" if outcome.holds else "REJECTED"
    lines = [f"{path}: {verdict} (refutation: {report.detail})"]
    if outcome.holds:
        lines.append(f"  lhs = {report.lhs_value}, rhs = {report.rhs_value}")
    if outcome.display_mismatch:
        lines.append("  the LaTeX shown does not match the claim checked")
    return code, result, lines


def cmd_recheck(args) -> int:
    from .certificates.derivation import CertificateError

    worst = EXIT_HOLDS
    results = []
    for path in args.files:
        try:
            code, result, lines = call_with_timeout(recheck_file, path, seconds=args.timeout)
        except CertificateError as exc:
            # One unreadable file does not stop the others.
            message = str(exc) if str(exc).startswith(str(path)) else f"{path}: {exc}"
            print(f"derive: {message}", file=sys.stderr)
            code, result, lines = EXIT_USAGE, {"file": str(path), "status": "error", "holds": False,
                                               "reason": str(exc)}, []
        except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
            # A malformation the reader does not name: still bad input, never a traceback.
            print(f"derive: {path}: not a valid certificate ({exc})", file=sys.stderr)
            code, result, lines = EXIT_USAGE, {"file": str(path), "status": "error", "holds": False,
                                               "reason": f"not a valid certificate ({exc})"}, []
        except TimedOut:
            code = EXIT_UNDECIDED
            result = {"file": str(path), "status": "unchecked", "holds": False,
                      "reason": f"recheck took longer than {args.timeout:g} s"}
            lines = [f"{path}: UNDECIDED (recheck took longer than {args.timeout:g} s)"]
        except ChildFailed as exc:
            code = EXIT_UNDECIDED
            result = {"file": str(path), "status": "unchecked", "holds": False, "reason": f"the recheck stopped: {exc}"}
            lines = [f"{path}: UNDECIDED (the recheck stopped: {exc})"]
        results.append(result)
        if not args.json and lines:
            print("\n".join(lines))
        worst = _worse(worst, code)
    if args.json:
        print(json.dumps(results, indent=2))
    return worst


def _domains(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in pairs:
        key, sep, kind = item.partition("=")
        if not sep or not key.strip() or not kind.strip():
            raise UsageError(f"--domain {item!r}: write SYMBOL=KIND, e.g. --domain y=binary "
                             f"--domain '\\hat{{y}}=prob'")
        out[key.strip()] = kind.strip()
    return out


def cmd_check(args) -> int:
    from .equivalence.batch import check_with_timeout
    from .equivalence.builtin import against_builtin, is_builtin
    from .equivalence.verdict import JSON_KEYS
    from .parsing import ParseError, read_formulas

    if args.batch:
        if args.a or args.b or args.domain:
            raise UsageError("--batch reads pairs (and their domains) from the file; give no A, B or --domain")
        if args.jobs < 1:
            raise UsageError("--jobs must be at least 1")
        if args.scheduler is not None:
            args.engine = "dask"
        return _batch(args)
    if args.a is None or args.b is None:
        raise UsageError("give two formulas: derive check 'A' 'B' (or --batch FILE.jsonl)")
    domains = _domains(args.domain)
    try:
        if is_builtin(args.b):
            against_builtin(args.a, args.b, domains)  # bad input: exit 2 before any work
        else:
            read_formulas([args.a, args.b], domains)
    except ParseError as exc:
        if args.json:
            print(json.dumps({**dict.fromkeys(JSON_KEYS), "verdict": "error", "method": "parse",
                              "reason": exc.render(), "notes": []}, ensure_ascii=False))
        print(f"derive: {exc.render()}", file=sys.stderr)
        return EXIT_USAGE
    verdict = check_with_timeout(args.a, args.b, domains, args.timeout, args.require_proof)
    print(json.dumps(verdict.to_json(), ensure_ascii=False) if args.json else verdict.text())
    return verdict.exit_code


def cmd_loss(args) -> int:
    from .build import write_derivation
    from .checks.steps import check_derivation
    from .parsing import ParseError
    from .render.latex import to_latex
    from .search import LikelihoodError, SearchExhausted, from_likelihood

    if not NAME_PATTERN.fullmatch(args.name):
        raise UsageError(f"--name {args.name!r}: use lower-case letters, digits and dashes, e.g. exponential-nll")
    domains = _domains(args.domain)
    out = Path(args.out) if args.out else None
    if out is not None:
        writable_folder(out)  # before the work
    try:
        derivation = from_likelihood(args.likelihood, domains, args.param, args.to, name=args.name,
                                     seconds=args.timeout)
    except ParseError as exc:
        print(f"derive: {exc.render()}", file=sys.stderr)
        return EXIT_USAGE
    except LikelihoodError as exc:
        print(f"derive: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except SearchExhausted as exc:
        ctx = exc.builder.context
        expanded = exc.stats.expanded
        print(f"derive: no derivation found: {exc.reason} ({expanded} line{'s' * (expanded != 1)} expanded)",
              file=sys.stderr)
        print(f"closest line: {to_latex(exc.closest, ctx)}", file=sys.stderr)
        if exc.remaining is not None:
            print(f"still differs from the target by: {to_latex(exc.remaining, ctx)}", file=sys.stderr)
        return EXIT_UNDECIDED
    report = check_derivation(derivation)
    if out is not None:
        for path in write_derivation(derivation, report, out):
            emit(f"{derivation.name:<20} {STATUS_TEXT[report.status]:<18} -> {path}")
        return _exit_for(report)
    return _print_derivation(derivation, report, args.format)


def _batch(args) -> int:
    """``derive check --batch``: answers written as they come, in order; an
    interruption keeps every finished answer (a complete prefix) and says so."""
    from .core.fsutil import LineFile
    from .equivalence.batch import answer_line, read_lines, run_batch
    from .equivalence.dask_engine import DaskEngine, DaskUnavailable

    if args.engine == "dask":  # before any work: no Dask, or no scheduler, is bad usage
        try:
            engine = DaskEngine.connect(args.scheduler, workers=args.jobs)
        except DaskUnavailable as exc:
            raise UsageError(str(exc)) from None
        try:
            return _batch_with(args, engine.pool)
        finally:
            engine.close()
    return _batch_with(args, None)


def _batch_with(args, pool) -> int:
    from .core.fsutil import LineFile
    from .equivalence.batch import answer_line, read_lines, run_batch

    sink = LineFile(args.out) if args.out else None  # an unwritable --out fails before any work
    try:
        try:
            source = sys.stdin.buffer if args.batch == "-" else open(args.batch, "rb")
        except OSError as exc:
            raise UsageError(f"{args.batch}: cannot read: {exc.strerror}") from None
        written = 0
        out = sys.stdout.buffer
        answers = run_batch(read_lines(source), jobs=args.jobs, timeout=args.timeout,
                            progress=sys.stderr.isatty() and not args.quiet, require_proof=args.require_proof,
                            pool=pool)
        try:
            with source:
                for answer in answers:
                    if sink is not None:
                        sink.write(answer_line(answer))
                    else:
                        out.write(answer_line(answer))
                        out.flush()
                        written += 1
        except OSError as exc:
            if isinstance(exc, (WriteError, BrokenPipeError)):
                raise
            raise UsageError(f"{args.batch}: cannot read: {exc.strerror or exc}") from None
        finally:
            answers.close()  # stops the workers at once, wherever the interruption came
        if sink is not None:
            sink.commit()  # inside the try: an interruption here still keeps every answer
    except (KeyboardInterrupt, Stopped) as exc:
        code = EXIT_INTERRUPTED if isinstance(exc, KeyboardInterrupt) else 128 + exc.signum
        where = "standard output"
        if sink is not None:
            sink.commit()
            written, where = sink.lines, str(sink.path)
        print(f"\nderive: stopped; the first {written} answers are in {where}, the lines after them "
              f"have none", file=sys.stderr)
        return code
    except BaseException:
        if sink is not None:
            sink.discard()
        raise
    return EXIT_HOLDS


def _verify_one(path: str, domains: dict[str, str], args) -> tuple[dict, int, str]:
    """One file of ``derive verify``: its JSON report, exit code and table."""
    from .verify import VerifyError, verify_file
    from .verify.results import unfinished_json

    try:
        report = call_with_timeout(verify_file, path, domains, args.step_timeout, seconds=args.timeout)
    except VerifyError as exc:
        warn(f"derive: {exc}")
        return unfinished_json(path, "error", str(exc)), EXIT_USAGE, ""
    except TimedOut:
        warn(f"derive: {path}: not finished within {args.timeout:g} s")
        return unfinished_json(path, "unknown", f"not finished within {args.timeout:g} s"), EXIT_UNDECIDED, ""
    for step in report.unread:  # the lines derive could not read, with their position
        warn(f"derive: {path}:{step.line}: {step.reason}")
    return report.to_json(), report.exit_code, report.table()


def cmd_verify(args) -> int:
    domains = _domains(args.domain)
    worst, done = EXIT_HOLDS, 0
    bar = progress(len(args.files), "file", enabled=len(args.files) > 1)
    try:
        for path in args.files:
            answer, code, table = _verify_one(path, domains, args)
            # each file's answer as soon as it is known: an interruption keeps them
            text = json.dumps(answer, ensure_ascii=False) if args.json else table
            with uninterrupted():  # the report written and the count stay in step
                if text:
                    emit(text)
                worst, done = _worse(worst, code), done + 1
                bar.update(1)
    except (KeyboardInterrupt, Stopped) as exc:
        bar.close()
        print(f"\nderive: stopped; {done} of {len(args.files)} files were checked (their reports are above), "
              f"the others were not", file=sys.stderr)
        return EXIT_INTERRUPTED if isinstance(exc, KeyboardInterrupt) else 128 + exc.signum
    bar.close()
    return worst


VERIFY_EXAMPLES = r"""examples:
  derive verify examples/seed001_map_to_mle.tex
  derive verify notes.md --domain y=onehot --domain '\hat{y}=simplex' --json

what is read: .tex displays (align, align*, equation, gather, eqnarray, split; rows split at \\,
& ignored) and .md display blocks ($$..$$, \[..\]; a block that starts with a relation goes on
from the one before). A chain e0 = e1 = e2 ... is checked step by step (=, \equiv).
  \arg\max_\theta F = \arg\min_\theta G   same optimiser: G is a monotone map of F free of theta
  NAME = ...  on a chain's first line     defines NAME (\hat{\theta}, \mathcal{L}, P(y_i|x_i)),
                                          unfolded in later lines; not a step
  A = 0 (a first-order condition)         poses an equation (unknown: a condition); the rows after it
                                          are checked as equivalent equations, implications, or
                                          solutions (\hat\lambda = ..., substituted); \Rightarrow,
                                          \iff, \therefore split a row into equations
  justifications                          \text{..}, (\text{..}), \tag{..}, \quad (..), && ..,
                                          \stackrel{Bayes}{=}; a law of probability (Bayes' rule,
                                          i.i.d. samples, uniform prior) is used only when named
  domains in the file                     % derive: y=onehot, \hat{y}=simplex   (<!-- derive: .. --> in .md)
  parameters                              hatted symbols, \theta, the arg max subscript, and
                                          % derive-parameters: z, w

  lines that cannot be read                each is an unknown step with its line and reason (also on
                                          stderr); the other steps are still checked
  % derive: skip  (<!-- derive: skip -->) on the line before a display: the display is skipped,
                                          and reported as skipped

exit status: 0 every step holds, 1 a step fails (the first failure is shown with a
counterexample), 3 no step fails but a step stayed undecided or a line could not be read,
2 the file cannot be used (missing, not text, no display, a bad derive: comment or domain).
"""


#: The longest time limit a command accepts, in seconds.
MAX_SECONDS = 86400


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= MAX_SECONDS:
        raise argparse.ArgumentTypeError(f"{text!r}: give a number of seconds more than 0 and at most "
                                         f"{MAX_SECONDS} (one day)")
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="derive", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Derive losses from likelihoods by named rewrite rules, and check every step "
                    "symbolically, exactly at small sizes, and numerically at random points.",
        epilog=EXAMPLES)
    p.add_argument("--version", action="version", version=f"derive {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    s = sub.add_parser("list", help="built-in derivations: name, status, title",
                       description="List the built-in derivations with their check status.")
    s.add_argument("--json", action="store_true", help="one JSON array instead of a table")
    s.set_defaults(func=cmd_list)

    s = sub.add_parser("show", help="one derivation with its checks",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Show a built-in derivation, checked.",
                       epilog="example:\n  derive show categorical-cross-entropy --format markdown")
    s.add_argument("name", help="a name from `derive list`")
    s.add_argument("--format", choices=("text", "latex", "markdown", "json"), default="text",
                   help="text (default), a standalone LaTeX document, Markdown, or the JSON certificate")
    s.set_defaults(func=cmd_show)

    s = sub.add_parser("build", help="check every derivation and write .tex .md .json",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Check derivations and write, for each, NAME.tex, NAME.md and the "
                                   "certificate NAME.json, plus README.md (an index) when building all.",
                       epilog="examples:\n  derive build\n  derive build --out /tmp/p --pdf categorical-cross-entropy")
    s.add_argument("names", nargs="*", metavar="NAME", help="only these derivations (default: all)")
    s.add_argument("--out", default="outputs", help="output folder (default: outputs)")
    s.add_argument("--pdf", action="store_true", help="also compile PDFs with latexmk")
    s.set_defaults(func=cmd_build)

    s = sub.add_parser("recheck", help="re-verify JSON certificates without the rules",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Rebuild every step of each certificate from its srepr and symbols "
                                   "alone, and run the checks again.",
                       epilog="example:\n  derive recheck outputs/*.json\n\n"
                              "exit status: 0 all hold, 1 a step failed, 2 unreadable file, 3 undecided")
    s.add_argument("files", nargs="+", metavar="FILE.json")
    s.add_argument("--json", action="store_true", help="one JSON array of results")
    s.add_argument("--timeout", type=_positive_seconds, default=120.0, metavar="S",
                   help="give up on a certificate after S seconds: exit 3 (default 120)")
    s.set_defaults(func=cmd_recheck)

    s = sub.add_parser("check", help="is formula A equal to formula B? (LaTeX)",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Decide whether two LaTeX formulas agree wherever both are defined, "
                                   "for every size of every sum, within the declared domains (0 log 0 = 0). "
                                   "Symbolic where sympy can prove it, otherwise numeric at seeded random "
                                   "points; a difference always comes with a counterexample.",
                       epilog=CHECK_EXAMPLES)
    s.add_argument("a", nargs="?", metavar="A", help="a formula in LaTeX")
    s.add_argument("b", nargs="?", metavar="B", help="a formula in LaTeX, or a built-in name from `derive list`")
    s.add_argument("--domain", action="append", default=[], metavar="SYM=KIND",
                   help="domain of a symbol, as written without indices: "
                        f"{', '.join(KIND_NAMES)} (real is the default); repeatable")
    s.add_argument("--json", action="store_true", help="one JSON object instead of text")
    s.add_argument("--timeout", type=_positive_seconds, default=10.0, metavar="S",
                   help="give up after S seconds per pair: verdict unknown, exit 3 (default 10)")
    s.add_argument("--batch", metavar="IN.jsonl",
                   help="compare many pairs: one JSON object per line with a, b and optional domains "
                        "('-' reads stdin)")
    s.add_argument("--out", metavar="OUT.jsonl", help="with --batch: write answers here (default stdout)")
    s.add_argument("--jobs", type=int, default=1, metavar="N",
                   help="with --batch: N worker processes (with --engine dask: a local Dask cluster of N workers)")
    s.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="with --batch: local worker processes (default), or Dask tasks "
                        "(needs pip install 'derive[dask]')")
    s.add_argument("--scheduler", metavar="ADDRESS",
                   help="with --batch: run the pairs on the Dask cluster whose scheduler is at ADDRESS "
                        "(e.g. tcp://10.0.0.5:8786); implies --engine dask")
    s.add_argument("--quiet", action="store_true", help="with --batch: no progress bar")
    s.add_argument("--require-proof", action="store_true",
                   help="an equivalence shown only by agreement at random points, with no symbolic proof, "
                        "is reported unknown (exit 3); in --batch, a line's require_proof field wins")
    s.set_defaults(func=cmd_check)

    s = sub.add_parser("loss", help="find and check a derivation from a likelihood to a loss",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Search the registered rules for a derivation from a likelihood (LaTeX, a "
                                   "product over samples) to a loss: log, sums of logs, exponents down, "
                                   "negation to arg min, parameter-free terms and factors dropped, the mean. "
                                   "Every step is checked. Best-first search, at most 400 lines expanded.",
                       epilog=LOSS_EXAMPLES)
    s.add_argument("likelihood", metavar="LIKELIHOOD", help="LaTeX: \\prod_{i=1}^{N} of a pmf or density")
    s.add_argument("--domain", action="append", default=[], metavar="SYM=KIND",
                   help=f"domain of a symbol, as written without indices: {', '.join(KIND_NAMES)}; repeatable")
    s.add_argument("--param", action="append", default=[], metavar="SYM",
                   help="a symbol the optimiser ranges over (default: the hatted symbols); repeatable")
    s.add_argument("--to", metavar="TARGET", help="LaTeX of the line to end at, or a built-in name (its final "
                                                  "line, in the likelihood's symbols); exit 3 when not reached")
    s.add_argument("--name", default="loss", help="name of the derivation and of its files (default loss)")
    s.add_argument("--out", metavar="DIR", help="write NAME.tex, NAME.md and the certificate NAME.json to DIR")
    s.add_argument("--format", choices=("text", "latex", "markdown", "json"), default="text",
                   help="text (default), a standalone LaTeX document, Markdown, or the JSON certificate")
    s.add_argument("--timeout", type=_positive_seconds, default=20.0, metavar="S",
                   help="give up the search after S seconds: exit 3 (default 20)")
    s.set_defaults(func=cmd_loss)

    s = sub.add_parser("verify", help="check a derivation written in a .tex or .md file, line by line",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Read the display formulas of a LaTeX or Markdown file as chains "
                                   "e0 = e1 = ..., and check every step: equalities as `derive check` does, "
                                   "arg max / arg min lines as optimiser steps. One row per step, with the "
                                   "file line, the relation, the verdict and what decided it.",
                       epilog=VERIFY_EXAMPLES)
    s.add_argument("files", nargs="+", metavar="FILE", help="a .tex or .md file")
    s.add_argument("--domain", action="append", default=[], metavar="SYM=KIND",
                   help="domain of a symbol (as in `derive check`); adds to, and wins over, the file's "
                        "`derive:` comment; repeatable")
    s.add_argument("--json", action="store_true", help="a JSON report instead of the table")
    s.add_argument("--timeout", type=_positive_seconds, default=300.0, metavar="S",
                   help="give up on a file after S seconds: exit 3 (default 300)")
    s.add_argument("--step-timeout", type=_positive_seconds, default=20.0, metavar="S",
                   help="time budget of the numeric work per step (default 20)")
    s.set_defaults(func=cmd_verify)
    p.commands = tuple(sub.choices)  # type: ignore[attr-defined]  # for the did-you-mean
    return p


CHECK_FLAGS = {"-h", "--help", "--domain", "--json", "--timeout", "--batch", "--out", "--jobs", "--quiet",
               "--require-proof", "--engine", "--scheduler"}


def _protect_formulas(argv: list[str]) -> list[str]:
    """``derive check '-\\log p' B``: a formula that starts with a minus sign is
    not an option. A leading space keeps argparse off it (the lexer skips it)."""
    if not argv or argv[0] != "check":
        return argv
    out = [argv[0]]
    for arg in argv[1:]:
        flag = arg.split("=", 1)[0]
        if arg.startswith("-") and arg != "-" and flag not in CHECK_FLAGS and not arg[1:].isdigit():
            arg = " " + arg
        out.append(arg)
    return out


def _stop_on_signals() -> dict:
    """SIGTERM and SIGHUP stop the command as Ctrl-C does (finished work kept);
    the previous handlers, to restore."""
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
            if signum is not None:
                previous[signum] = signal.signal(signum, raise_stopped)
    return previous


def _known_command(argv: list[str], p: argparse.ArgumentParser) -> None:
    """A misspelt command is a usage error with a did-you-mean (exit 2)."""
    commands = list(getattr(p, "commands", ()))
    first = next((a for a in argv if not a.startswith("-")), None)
    if first is not None and commands and first not in commands and argv[0] == first:
        p.print_usage(sys.stderr)
        raise UsageError(f"no command {first!r}{did_you_mean(first, commands)}; "
                         f"commands: {', '.join(commands)}")


def _bad_input_errors() -> tuple[type[BaseException], ...]:
    """The errors that mean bad input (exit 2, a message): those of the modules
    loaded so far (a module never imported raised nothing)."""
    found: list[type[BaseException]] = [UsageError, WriteError]
    for module, name in (("derive.certificates.derivation", "CertificateError"), ("derive.build", "BuildError")):
        if module in sys.modules:
            found.append(getattr(sys.modules[module], name))
    return tuple(found)


def main(argv: list[str] | None = None) -> int:
    argv = _protect_formulas(list(sys.argv[1:] if argv is None else argv))
    p = parser()
    try:
        _known_command(argv, p)
    except UsageError as exc:
        print(f"derive: {exc}", file=sys.stderr)
        return EXIT_USAGE
    args = p.parse_args(argv)
    previous = _stop_on_signals()
    try:
        return args.func(args)
    except BrokenPipeError:
        return EXIT_HOLDS
    except Exception as exc:  # noqa: BLE001 -- bad input is a message; anything else is raised again
        if isinstance(exc, _bad_input_errors()):
            print(f"derive: {exc}", file=sys.stderr)
            return EXIT_USAGE
        if isinstance(exc, OSError):
            where = f"{exc.filename}: " if exc.filename else ""
            print(f"derive: {where}{exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
        raise
    except KeyboardInterrupt:
        print("\nderive: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Stopped as exc:
        print(f"\nderive: stopped ({exc})", file=sys.stderr)
        return 128 + exc.signum
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
