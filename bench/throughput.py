"""How much does llmx itself cost per article, beyond the model's and instructor's own?

Runs N short German articles through ``llmx.corpus.run_articles`` against the stub
server (``python -m tests.stub_server`` in its own process, answering after a
fixed latency), at several concurrency levels, then the same number of
requests through a bare **instructor** loop: ``instructor.from_openai`` made once,
the same response model (a plain twin, see below), mode, request body and validation
context, in a thread pool of the same size. The bench checks that both send the same
body. The stub's answers are canned (no events, or with ``--events`` the two in
EVENTS): this measures mechanics and overhead, never extraction quality.

    python bench/throughput.py                      # N=200, latency 0.2 s, c = 1 8 32: about 3 minutes
    python bench/throughput.py --n 40               # about 40 s
    python bench/throughput.py --concurrency 32 --events --rounds 3

Columns: wall time of llmx and of the bare loop, their ratio (the target is at most 1.2),
and llmx's own CPU per article = (process CPU time of the llmx run - process CPU time of
the bare run) / N. Both runs are in this process, against the same stub, with the same
thread count, so what the bare loop spends (openai, httpx, instructor, pydantic) cancels
out and the difference is what llmx adds: prompts, grounding, merging, the prompt log,
the document. CPU time, unlike wall time, barely depends on what else the machine is
doing. With ``--rounds R`` the runs alternate R times and the medians are shown.

The bare loop's model is a plain pydantic twin of llmx's, so instructor rebuilds its
wrapper class and JSON Schema on every call, as it does for any caller. llmx builds both
once (``llmx.pipeline.call``), so its CPU can be below the bare loop's. The "lean" loop
is the bare loop given llmx's prepared model: llmx cpu - lean cpu is what llmx spends
beyond instructor once those one-off costs are gone (sentences, prompt, log, grounding).

Runtime is dominated by c=1: 3 × R × N × latency (llmx, the bare loop, the lean loop).
The response cache is off and evidence mode is "cite" (the default); the
prompt log stays on (llmx's default) but goes to a temporary file.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from statistics import median
from typing import Any

ARTICLE = (
    "Berlin. Die Außenminister Deutschlands und Polens haben sich am Dienstag in Warschau getroffen, "
    "um über die weitere Unterstützung der Ukraine und die Sicherheit an der Ostflanke der NATO zu beraten. "
    "Nach Angaben des Auswärtigen Amtes dauerte das Gespräch knapp drei Stunden. Beide Seiten betonten, "
    "man wolle die Zusammenarbeit bei der Luftverteidigung ausbauen und gemeinsame Beschaffungen prüfen. "
    "Ein Sprecher des polnischen Verteidigungsministeriums sagte, Warschau plane den Kauf weiterer "
    "Patriot-Systeme im Wert von rund zwei Milliarden Euro; ein Vertrag sei jedoch noch nicht unterzeichnet. "
    "Zugleich warnte der polnische Inlandsgeheimdienst vor Sabotageakten gegen Bahnstrecken und "
    "Energieanlagen, die nach seiner Einschätzung von russischen Diensten gesteuert würden. In den "
    "vergangenen Monaten seien mehrere Verdächtige festgenommen worden. Die deutsche Ministerin kündigte an, "
    "im Herbst zu einem weiteren Treffen nach Berlin einzuladen, an dem auch Vertreter Frankreichs "
    "teilnehmen sollen. Oppositionspolitiker in beiden Ländern kritisierten, die Regierungen blieben bei "
    "konkreten Zusagen vage. Beobachter in Brüssel werteten das Treffen dennoch als Zeichen, dass das "
    "Weimarer Dreieck nach Jahren der Funkstille wieder an Bedeutung gewinne. Am Abend reiste die "
    "Ministerin weiter nach Vilnius, wo sie am Mittwoch ihren litauischen Amtskollegen treffen wollte. "
    "Dort soll es vor allem um die geplante deutsche Brigade gehen, die bis 2027 vollständig in Litauen "
    "stationiert sein soll."
)


class StubProcess:
    """The stub in its own process, so it never competes with llmx for the GIL."""

    def __init__(self, latency: float, answer: Path | None = None):
        command = [sys.executable, "-m", "tests.stub_server", "--latency", str(latency), *(["--answer", str(answer)] if answer else [])]
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.base_url = self.proc.stdout.readline().strip()
        if not self.base_url.startswith("http"):
            raise RuntimeError("the stub server did not start")

    def stats(self) -> dict[str, Any]:
        with urllib.request.urlopen(self.base_url.removesuffix("/v1") + "/stub/stats") as response:
            return json.load(response)

    def close(self) -> None:
        self.proc.stdin.close()  # the stub serves until its stdin closes
        self.proc.wait(timeout=10)


EVENTS = {  # --events: what the stub answers, citing ARTICLE's sentences by number
    "arms_deal": [{"evidence": [5], "supplier": "Raytheon", "recipient": "Polen", "weapons": ["Patriot-Systeme"],
                   "amount": "rund zwei Milliarden Euro", "status": "planned"}],
    "security_warning": [{"evidence": [6, 7], "issuer_org": "polnischer Inlandsgeheimdienst", "threat_actors": ["russische Dienste"],
                          "target": "Polen", "threats": ["Sabotage"]}],
}


def run_llmx(endpoint, n: int, concurrency: int, types, confirm: bool = True) -> tuple[float, float]:
    from llmx.pipeline.options import ExtractOptions
    from llmx.pipeline.read import Article
    from llmx.corpus import run_articles

    items = [Article(f"art-{i:04d}", f"{ARTICLE} (Meldung {i})", f"bench:{i}") for i in range(n)]
    options = ExtractOptions(types, evidence="cite", cache=None, confirm=confirm)
    wall, cpu = time.perf_counter(), time.process_time()
    summary = run_articles(endpoint, items, options, lambda doc: None, concurrency=concurrency, show_progress=False)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if summary.ok != n:
        raise SystemExit(f"llmx: only {summary.ok}/{n} articles succeeded: {summary.failures[:3]}")
    if not confirm and sum(summary.events.values()) != n * sum(map(len, EVENTS.values())):
        raise SystemExit(f"llmx kept {dict(summary.events)} from {n} articles: the canned events should all survive")
    return wall, cpu


def run_bare(base_url: str, body: dict[str, Any], response_model: type, context: dict[str, Any],
             n: int, concurrency: int) -> tuple[float, float]:
    """The same request through instructor, as a caller without llmx would write it: one client, a thread pool."""
    import instructor
    import openai

    client = instructor.from_openai(openai.OpenAI(base_url=base_url, api_key="not-needed", timeout=60.0, max_retries=2),
                                    mode=instructor.Mode.JSON_SCHEMA)
    kwargs = {k: v for k, v in body.items() if k not in ("messages", "model", "response_format")}

    def one(_: int) -> None:
        client.chat.completions.create(model=body["model"], response_model=response_model, messages=body["messages"],
                                       max_retries=1, strict=False, context=dict(context),
                                       extra_body={"response_format": body["response_format"]}, **kwargs)

    wall, cpu = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, range(n)))
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200, help="articles per run (default 200)")
    parser.add_argument("--latency", type=float, default=0.2, help="stub answer latency in seconds (default 0.2)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32], help="levels to run (default 1 8 32)")
    parser.add_argument("--rounds", type=int, default=1, help="alternate llmx and the bare loop this many times; medians (default 1)")
    parser.add_argument("--no-log", action="store_true", help="turn llmx's prompt log off (LLMX_LOG=0)")
    parser.add_argument("--events", action="store_true",
                        help="the stub answers each article with two events (EVENTS) instead of none; confirm is off, so one request per article")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="llmx-bench-")
    os.environ["LLMX_CACHE_DIR"] = tmp.name
    os.environ["LLMX_LOG_PATH"] = str(Path(tmp.name) / "llm.jsonl")
    if args.no_log:
        os.environ["LLMX_LOG"] = "0"

    from pydantic import create_model

    from llmx.pipeline.answer import prepare_chunk
    from llmx.pipeline.call import instructor_model
    from llmx.pipeline.options import ExtractOptions
    from llmx.pipeline.prepare import clean
    from llmx.providers.base import Endpoint, make_client
    from llmx.registry import load_registry

    n, latency = args.n, args.latency
    answer = None
    if args.events:
        answer = Path(tmp.name) / "answer.json"
        answer.write_text(json.dumps({**{t: [] for t in ("meeting", "sanction")}, **EVENTS}, ensure_ascii=False), encoding="utf-8")
    stub = StubProcess(latency, answer)
    confirm = not args.events
    try:
        endpoint = Endpoint("compatible", make_client(stub.base_url, "not-needed", 60.0), "stub", "json_object", strict=False)
        types = load_registry().select(None)
        run_llmx(endpoint, 2, 1, types, confirm)  # warm-up: one-off imports and schema building stay out of the numbers
        body = stub.stats()["last_request"]
        request = prepare_chunk(clean(f"{ARTICLE} (Meldung 1)"), ExtractOptions(types))
        plain = create_model("Extraction", **{name: (f.annotation, f) for name, f in request.response_model.model_fields.items()})
        lean = instructor_model(request.response_model)
        for model in (plain, lean):
            run_bare(stub.base_url, body, model, request.context, 2, 1)
            if stub.stats()["last_request"] != body:
                raise SystemExit("the bare instructor loop sent another request body than llmx: the comparison would be unfair")
        print(f"llmx vs a bare instructor loop: stub latency {latency:g} s, N={n} articles of {len(ARTICLE)} chars, "
              f"{len(types)} types, {'2 events' if args.events else 'no events'} per answer, evidence=cite, cache off, "
              f"prompt log {'off' if args.no_log else 'on'}, "
              f"{args.rounds} round(s), medians")
        print(f"request body: {len(json.dumps(body))} bytes, the same for both; stub in its own process")
        print("ideal wall = ceil(N/c) * latency   (c slots, the busiest serves ceil(N/c) requests back to back)")
        print("cpu/article = process CPU time / N   (this process only; the stub runs elsewhere)")
        print("llmx own cpu/article = (llmx cpu - bare cpu) / N;  beyond lean = (llmx cpu - lean cpu) / N\n")
        header = (f"{'c':>3} | {'ideal s':>7} | {'llmx s':>7} {'bare s':>7} {'ratio':>6} | "
                  f"{'cpu ms/art: llmx':>16} {'bare':>6} {'lean':>6} | {'llmx own':>8} {'beyond lean':>11}")
        print(header)
        print("-" * len(header))
        for c in args.concurrency:
            ideal = math.ceil(n / c) * latency
            walls, bare_walls, cpus, bare_cpus, lean_cpus = [], [], [], [], []
            for _ in range(args.rounds):
                before = stub.stats()["requests"]
                wall, cpu = run_llmx(endpoint, n, c, types, confirm)
                sent = stub.stats()["requests"] - before
                if sent != n:
                    raise SystemExit(f"llmx sent {sent} requests for {n} articles (re-asks?): the overhead numbers would be wrong")
                bare_wall, bare_cpu = run_bare(stub.base_url, body, plain, request.context, n, c)
                lean_cpus.append(run_bare(stub.base_url, body, lean, request.context, n, c)[1])
                walls.append(wall), cpus.append(cpu), bare_walls.append(bare_wall), bare_cpus.append(bare_cpu)
            wall, bare_wall = median(walls), median(bare_walls)
            own = median([a - b for a, b in zip(cpus, bare_cpus)])
            beyond = median([a - b for a, b in zip(cpus, lean_cpus)])
            print(f"{c:>3} | {ideal:>7.2f} | {wall:>7.2f} {bare_wall:>7.2f} {wall / bare_wall:>6.2f} | "
                  f"{1000 * median(cpus) / n:>16.2f} {1000 * median(bare_cpus) / n:>6.2f} {1000 * median(lean_cpus) / n:>6.2f} | "
                  f"{1000 * own / n:>8.2f} {1000 * beyond / n:>11.2f}", flush=True)
        print(f"\npeak requests in flight at the stub: {stub.stats()['max_in_flight']}")
    finally:
        stub.close()
        tmp.cleanup()


if __name__ == "__main__":
    main()
