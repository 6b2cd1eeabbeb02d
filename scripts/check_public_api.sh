#!/usr/bin/env bash
# The public API names no generator or transport-internal type: scans the rustdoc output of
# `cargo doc --no-deps --all-features` (what a user reads, trait impls included) for progenitor's
# types and permkit's internals. Exits 1 naming the pages that still show one.
set -euo pipefail
cd "$(dirname "$0")/.."
doc=${CARGO_TARGET_DIR:-target}/doc/permkit
[ -d "$doc" ] || { echo "no rustdoc output in $doc: run cargo doc --no-deps --all-features first"; exit 1; }
# progenitor_client::{Error, ResponseValue, ByteStream, ClientHooks, ClientInfo, OperationInfo},
# the raw error body of 0.1, the transport's internals, and the sandbox's servers (wiremock, hyper).
pattern='progenitor|wiremock::|hyper::|ResponseValue|RawErrorBody|ClientHooks|ClientInfo|OperationInfo|transport::Inner|struct\.Inner\.html|SET_ASIDE|fn\.exec\.html'
hits=$(grep -rlE "$pattern" "$doc" --include='*.html' || true)
if [ -n "$hits" ]; then
  echo "the public API names generator or internal types on these rustdoc pages:"
  for f in $hits; do
    echo "  $f: $(grep -oE "$pattern" "$f" | sort | uniq -c | tr '\n' ' ')"
  done
  exit 1
fi
pages=$(find "$doc" -name '*.html' | wc -l)
echo "public API clean: $pages rustdoc pages, none names $pattern"
