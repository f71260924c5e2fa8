#!/usr/bin/env bash
# Checks a running app end to end: Stripe CLI present, backend up, a signed event processed, and a
# redelivery of the same event answered idempotently. Exit code is non-zero if any check fails.
#   scripts/test-stripe-webhooks.sh [base URL, default APP_URL, else http://localhost:$PORT]
# A deployment (https://...) needs its own endpoint secret here: STRIPE_WEBHOOK_SECRET=whsec_... (shell
# or .env.local), and a test-mode key on the deployment (the event posted is a test-mode one).
set -uo pipefail
cd "$(dirname "$0")/.."
BASE_URL="${1:-$(node --import tsx --input-type=module -e "await import('./scripts/load-env.ts'); console.log(process.env.APP_URL || 'http://localhost:' + (process.env.PORT || 3000))")}"
BASE_URL="${BASE_URL%/}"
case "$BASE_URL" in
  http://localhost*|http://127.0.0.1*) START_HINT='start it with `npm run dev`' ;;
  *) START_HINT='is the deployment up? Its logs say why not' ;;
esac
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
  fail "Backend is not answering at $BASE_URL/api/health: $START_HINT"
fi

output=$(node --import tsx scripts/stripe-trigger.ts customer.subscription.created --url "$BASE_URL" --repeat 2 2>&1)
first=$(printf '%s\n' "$output" | grep -m1 -- '<--' || true)
second=$(printf '%s\n' "$output" | grep -- '<--' | sed -n 2p || true)
if [[ "$first" == *'[200]'*'"status":"processed"'* ]]; then
  echo "✅ Webhook processed successfully"
elif [[ "$first" == *'[400]'* ]]; then
  fail "Webhook not processed: ${first} (set STRIPE_WEBHOOK_SECRET here to the endpoint secret the app at $BASE_URL has)"
elif [[ "$first" == *'"status":"ignored"'* ]]; then
  fail "Webhook not processed: ${first} (a live-mode app ignores this test-mode event: check a test-mode deployment)"
else
  fail "Webhook not processed: ${first:-$output}"
fi
if [[ "$second" == *'[200]'*'"status":"already_processed"'* ]]; then
  echo "✅ Idempotency working"
else
  fail "Redelivery was not answered already_processed: ${second:-no answer}"
fi

exit $(( failures > 0 ? 1 : 0 ))
