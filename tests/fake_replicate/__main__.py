"""Run the fake Replicate for a local demo: ``python -m tests.fake_replicate --help``."""

from __future__ import annotations

import argparse
import signal
import threading

from tests.fake_replicate.server import FakeReplicate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fake_replicate",
        description=(
            "A fake Replicate API on this machine. Jobs move on by themselves (use --manual to "
            "hold them). Its only outbound requests are webhook POSTs to the URLs you give it, "
            "signed with the secret it prints."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765,
                        help="port to bind, 0 for any free one (default 8765)")
    parser.add_argument("--token", default="dev-token",
                        help="the API token it accepts (default dev-token)")
    parser.add_argument("--owner", default="sselfie",
                        help="username of the token's account (default sselfie)")
    parser.add_argument("--speed", type=float, default=1.0,
                        help="run jobs this many times faster than nominal (default 1)")
    parser.add_argument("--training-seconds", type=float, default=20.0,
                        help="nominal training duration in seconds (default 20)")
    parser.add_argument("--prediction-seconds", type=float, default=3.0,
                        help="nominal prediction duration in seconds (default 3)")
    parser.add_argument("--official-seconds", type=float, default=2.0,
                        help="nominal official-model (preview) prediction duration (default 2)")
    parser.add_argument("--fast-training-seconds", type=float, default=6.0,
                        help="nominal replicate/fast-flux-trainer duration (default 6)")
    parser.add_argument("--megapixels", type=float, default=1.0,
                        help="size of generated images in megapixels (default 1)")
    parser.add_argument("--output-ttl", type=float, default=3600.0,
                        help="seconds before prediction outputs are removed (default 3600)")
    parser.add_argument("--webhook-secret", default=None,
                        help="whsec_… signing secret to use (default: a new random one)")
    parser.add_argument("--manual", action="store_true",
                        help="never advance jobs by themselves (then they stay 'starting')")
    args = parser.parse_args(argv)

    secret = {"webhook_secret": args.webhook_secret} if args.webhook_secret else {}
    fake = FakeReplicate(
        args.token,
        host=args.host,
        port=args.port,
        username=args.owner,
        auto_advance=not args.manual,
        speed=args.speed,
        training_seconds=args.training_seconds,
        prediction_seconds=args.prediction_seconds,
        official_seconds=args.official_seconds,
        fast_training_seconds=args.fast_training_seconds,
        image_megapixels=args.megapixels,
        output_ttl=args.output_ttl,
        **secret,
    ).start()
    print(f"Fake Replicate listening on {fake.base_url}", flush=True)
    print(f"  REPLICATE_API_BASE_URL={fake.base_url}")
    print(f"  REPLICATE_API_TOKEN={args.token}")
    print(f"  REPLICATE_OWNER={args.owner}")
    print(f"  REPLICATE_TRAINER_VERSION={fake.trainer_version}")
    print(f"  (or REPLICATE_TRAINER=replicate/fast-flux-trainer "
          f"REPLICATE_TRAINER_VERSION={fake.fast_trainer_version})")
    print(f"  webhook secret: {fake.webhook_secret}")
    print("Ctrl-C stops it.", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
