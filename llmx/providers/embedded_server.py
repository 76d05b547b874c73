"""The embedded model's server process: llama.cpp's own HTTP server, in-process through xllamacpp.

Run as ``python -m llmx.providers.embedded_server --model M.gguf ...`` by
:mod:`llmx.providers.local`. It prints one JSON line (``{"address": ...}`` or
``{"error": ...}``) on stdout once it listens, then serves until its stdin closes or it
gets SIGTERM. Reading stdin is what makes it die with its parent: a killed llmx leaves
no server behind, even under ``kill -9``.

A process of its own (not a thread of llmx) so a crash in native code costs one
article and a restart, never the run.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading


def params(args: argparse.Namespace):  # -> xllamacpp.CommonParams (the import stays inside: it is optional)
    import xllamacpp

    p = xllamacpp.CommonParams()
    p.model.path = args.model
    p.model_alias = {args.alias}
    p.n_parallel = args.parallel
    p.n_ctx = args.ctx * args.parallel  # llama.cpp splits n_ctx evenly across the slots
    p.n_batch = 512
    p.cpuparams.n_threads = args.threads
    p.cpuparams_batch.n_threads = args.threads
    p.hostnames = ["127.0.0.1"]
    p.port = args.port  # 0: the OS picks a free port, so two runs never race for one
    p.endpoint_slots = True
    p.slot_save_path = args.slots.rstrip("/") + "/"  # joined to file names with no separator
    if args.cache_ram is not None:
        p.cache_ram_mib = args.cache_ram
    p.warmup = False
    p.verbosity = args.verbosity
    return p


def start_server(args: argparse.Namespace):  # -> xllamacpp.Server
    import xllamacpp

    return xllamacpp.Server(params(args))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="llmx-embedded-server")
    parser.add_argument("--model", required=True)
    parser.add_argument("--alias", required=True)
    parser.add_argument("--ctx", type=int, default=8192, help="tokens per slot")
    parser.add_argument("--parallel", type=int, default=2, help="slots")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--slots", required=True, help="directory for saved slot states")
    parser.add_argument("--cache-ram", type=int, default=None, help="RAM prompt cache in MiB (0: off)")
    parser.add_argument("--verbosity", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        server = start_server(args)
    except Exception as exc:  # a bad file, a taken port: the parent gets one line and decides
        print(json.dumps({"error": " ".join(str(exc).split())[:300] or type(exc).__name__}), flush=True)
        return 1
    print(json.dumps({"address": server.listening_address}), flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait()
    del server  # stops the HTTP server and frees the model
    return 0


if __name__ == "__main__":
    sys.exit(main())
