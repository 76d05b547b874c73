"""How much does llmx itself cost per article, beyond the model's own latency?

Runs N short German articles through ``llmx.corpus.run_articles`` against the stub
server (``python -m tests.stub_server`` in its own process, answering after a
fixed latency), at several concurrency levels, then the same number of
requests with a bare ``openai`` client in a thread pool, using the exact body
llmx sent. The stub's answers are canned: this measures mechanics and
overhead, never extraction quality.

    python bench/throughput.py                      # N=200, latency 0.25 s, c = 1 8 32: about 2 minutes
    python bench/throughput.py --n 40               # about 25 s
    python bench/throughput.py --latency 1 --concurrency 16 64

Runtime is dominated by c=1: 2 × N × latency (llmx, then the bare loop).
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

    def __init__(self, latency: float):
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.stub_server", "--latency", str(latency)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.base_url = self.proc.stdout.readline().strip()
        if not self.base_url.startswith("http"):
            raise RuntimeError("the stub server did not start")

    def stats(self) -> dict[str, Any]:
        with urllib.request.urlopen(self.base_url.removesuffix("/v1") + "/stub/stats") as response:
            return json.load(response)

    def close(self) -> None:
        self.proc.stdin.close()  # the stub serves until its stdin closes
        self.proc.wait(timeout=10)


def run_llmx(endpoint, n: int, concurrency: int, types) -> tuple[float, float]:
    from llmx.pipeline.options import ExtractOptions
    from llmx.pipeline.read import Article
    from llmx.corpus import run_articles

    items = [Article(f"art-{i:04d}", f"{ARTICLE} (Meldung {i})", f"bench:{i}") for i in range(n)]
    options = ExtractOptions(types, evidence="cite", cache=None)
    wall, cpu = time.perf_counter(), time.process_time()
    summary = run_articles(endpoint, items, options, lambda doc: None, concurrency=concurrency, show_progress=False)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if summary.ok != n:
        raise SystemExit(f"llmx: only {summary.ok}/{n} articles succeeded: {summary.failures[:3]}")
    return wall, cpu


def run_bare(base_url: str, body: dict[str, Any], n: int, concurrency: int) -> tuple[float, float]:
    import openai

    client = openai.OpenAI(base_url=base_url, api_key="not-needed", max_retries=0)
    kwargs = {k: v for k, v in body.items() if k not in ("messages", "model", "response_format")}

    def one(_: int) -> None:
        response = client.chat.completions.create(model=body["model"], messages=body["messages"],
                                                  extra_body={"response_format": body["response_format"]}, **kwargs)
        json.loads(response.choices[0].message.content)  # the least any caller does with the answer

    wall, cpu = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, range(n)))
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200, help="articles per run (default 200)")
    parser.add_argument("--latency", type=float, default=0.25, help="stub answer latency in seconds (default 0.25)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32], help="levels to run (default 1 8 32)")
    parser.add_argument("--no-log", action="store_true", help="turn llmx's prompt log off (LLMX_LOG=0)")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="llmx-bench-")
    os.environ["LLMX_CACHE_DIR"] = tmp.name
    os.environ["LLMX_LOG_PATH"] = str(Path(tmp.name) / "llm.jsonl")
    if args.no_log:
        os.environ["LLMX_LOG"] = "0"

    from llmx.providers.base import Endpoint, make_client
    from llmx.registry import load_registry

    n, latency = args.n, args.latency
    stub = StubProcess(latency)
    try:
        endpoint = Endpoint("compatible", make_client(stub.base_url, "not-needed", 60.0), "stub", "json_object", strict=False)
        types = load_registry().select(None)
        run_llmx(endpoint, 2, 1, types)  # warm-up: one-off imports and schema building stay out of the numbers
        body = stub.stats()["last_request"]
        run_bare(stub.base_url, body, 2, 1)
        print(f"llmx throughput vs a bare openai loop: stub latency {latency:g} s, N={n} articles of {len(ARTICLE)} chars, "
              f"{len(types)} types, evidence=cite, cache off, prompt log {'off' if args.no_log else 'on'}")
        print(f"request body: {len(json.dumps(body))} bytes; stub in its own process")
        print("ideal wall = ceil(N/c) * latency   (c slots, the busiest serves ceil(N/c) requests back to back)")
        print("overhead/article = wall / ceil(N/c) - latency   (time an article holds its slot beyond the server's latency)")
        print("cpu/article = process CPU time / N   (this process only; the stub runs elsewhere)\n")
        header = (f"{'c':>3} | {'llmx art/s':>10} {'ideal s':>8} {'ideal art/s':>11} {'effic.':>7} {'ovh ms/art':>10} {'cpu ms/art':>10} | "
                  f"{'bare art/s':>10} {'ovh ms/art':>10} {'cpu ms/art':>10} | {'llmx-bare ms/art':>16}")
        print(header)
        print("-" * len(header))
        for c in args.concurrency:
            waves = math.ceil(n / c)
            ideal = waves * latency
            before = stub.stats()["requests"]
            wall, cpu = run_llmx(endpoint, n, c, types)
            sent = stub.stats()["requests"] - before
            if sent != n:
                raise SystemExit(f"llmx sent {sent} requests for {n} articles (re-asks?): the overhead numbers would be wrong")
            bare_wall, bare_cpu = run_bare(stub.base_url, body, n, c)
            overhead = (wall / waves - latency) * 1000
            bare_overhead = (bare_wall / waves - latency) * 1000
            print(f"{c:>3} | {n / wall:>10.2f} {ideal:>8.2f} {n / ideal:>11.2f} {100 * ideal / wall:>6.1f}% {overhead:>10.1f} "
                  f"{1000 * cpu / n:>10.1f} | {n / bare_wall:>10.2f} {bare_overhead:>10.1f} {1000 * bare_cpu / n:>10.1f} | "
                  f"{overhead - bare_overhead:>16.1f}", flush=True)
        print(f"\npeak requests in flight at the stub: {stub.stats()['max_in_flight']}")
    finally:
        stub.close()
        tmp.cleanup()


if __name__ == "__main__":
    main()
