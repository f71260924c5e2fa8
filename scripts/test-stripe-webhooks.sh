#!/usr/bin/env bash
# Checks a running app end to end: Stripe CLI present, backend up, a signed event processed, and a
# redelivery of the same event answered idempotently. Exit code is non-zero if any check fails.
#   scripts/test-stripe-webhooks.sh [base URL, default http://localhost:3000]
set -uo pipefail
cd "$(dirname "$0")/.."
BASE_URL="${1:-${APP_URL:-http://localhost:3000}}"
failures=0
fail() { echo "❌ $*"; failures=$((failures + 1)); }

if command -v stripe >/dev/null 2>&1 && stripe --version >/dev/null 2>&1; then
  echo "✅ Stripe CLI found"
else
  fail "Stripe CLI not found: get it with \`npx -y @stripe/cli@1.52.0 --version\` (or use \`npm run stripe:listen\`)"
fi

if node -e "fetch(process.argv[1] + '/api/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))" "$BASE_URL"; then
  echo "✅ Backend is running"
else
  fail "Backend is not answering at $BASE_URL/api/health: start it with \`npm run dev\`"
fi

output=$(node --import tsx scripts/stripe-trigger.ts customer.subscription.created --url "$BASE_URL" --repeat 2 2>&1)
first=$(printf '%s\n' "$output" | grep -m1 -- '<--' || true)
second=$(printf '%s\n' "$output" | grep -- '<--' | sed -n 2p || true)
if [[ "$first" == *'[200]'*'"status":"processed"'* ]]; then
  echo "✅ Webhook processed successfully"
else
  fail "Webhook not processed: ${first:-$output}"
fi
if [[ "$second" == *'[200]'*'"status":"already_processed"'* ]]; then
  echo "✅ Idempotency working"
else
  fail "Redelivery was not answered already_processed: ${second:-no answer}"
fi

exit $(( failures > 0 ? 1 : 0 ))
