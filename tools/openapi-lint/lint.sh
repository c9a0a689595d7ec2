#!/usr/bin/env bash
# openapi/v1.json lints with 0 errors and 0 warnings under @redocly/cli (recommended) and Spectral (spectral:oas,
# .spectral.yaml here), both pinned by package-lock.json (npm ci first). Exits 1 on any error or warning.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
document=../../openapi/v1.json

# Redocly exits 0 on warnings: its summary lists each rule with a count, so any "warning" line is a failure here.
summary=$(npx --no-install redocly lint --extends=recommended --format=summary "$document" 2>&1) || { echo "$summary"; exit 1; }
if grep -qE '^warning' <<<"$summary"; then
    npx --no-install redocly lint --extends=recommended "$document" 2>&1 || true
    exit 1
fi
echo "redocly (recommended): 0 errors, 0 warnings"

npx --no-install spectral lint --ruleset .spectral.yaml --fail-severity=warn "$document"
echo "spectral (spectral:oas): 0 errors, 0 warnings"
