#!/usr/bin/env bash
# Start Heupwijzer: action server + Rasa server (REST and socket.io) + the local chat page.
# With --shell: action server + a terminal chat instead. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."

RASA_PORT=${RASA_PORT:-5005}
ACTIONS_PORT=${ACTIONS_PORT:-5055}
WEB_PORT=${WEB_PORT:-8080}
MODEL=models/heupwijzer.tar.gz
export HEUPWIJZER_SPACY_MODEL
HEUPWIJZER_SPACY_MODEL=$(cat build/spacy-model)
export HEUPWIJZER_CORS_ORIGINS=${HEUPWIJZER_CORS_ORIGINS:-http://localhost:$WEB_PORT http://127.0.0.1:$WEB_PORT}

# The practice's contact details must be complete before anything starts (practice.yml / env).
.venv/bin/python -m actions.practice || exit 1

pids=()
stop() {
  trap - INT TERM EXIT
  if [ ${#pids[@]} -gt 0 ]; then
    echo; echo "Heupwijzer stopt ..."
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
}
trap stop INT TERM EXIT

wait_for() {  # wait_for URL NAME PID
  for _ in $(seq 1 180); do
    if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
    if ! kill -0 "$3" 2>/dev/null; then echo "ERROR: $2 stopped during startup (see the log above)." >&2; exit 1; fi
    sleep 1
  done
  echo "ERROR: $2 did not start within 180 s." >&2; exit 1
}

.venv/bin/rasa run actions --actions actions --port "$ACTIONS_PORT" &
pids+=($!)
wait_for "http://127.0.0.1:$ACTIONS_PORT/health" "action server" "${pids[-1]}"

if [ "${1:-}" = "--shell" ]; then
  .venv/bin/rasa shell -m "$MODEL" --endpoints endpoints.yml
  exit 0
fi

# shellcheck disable=SC2086
.venv/bin/rasa run -m "$MODEL" --port "$RASA_PORT" --endpoints endpoints.yml \
  --credentials credentials.yml --cors $HEUPWIJZER_CORS_ORIGINS &
pids+=($!)
wait_for "http://127.0.0.1:$RASA_PORT/" "Rasa server" "${pids[-1]}"

.venv/bin/python scripts/serve_web.py --port "$WEB_PORT" --rasa-port "$RASA_PORT" &
pids+=($!)
wait_for "http://127.0.0.1:$WEB_PORT/" "chat page" "${pids[-1]}"

cat <<MSG

  Heupwijzer draait (spaCy pipeline: $HEUPWIJZER_SPACY_MODEL).
    Chatpagina:    http://localhost:$WEB_PORT/
    REST-kanaal:   http://localhost:$RASA_PORT/webhooks/rest/webhook
    Gesprekken:    $HEUPWIJZER_TRACKER_DB
  Stoppen: Ctrl-C

MSG
wait -n "${pids[@]}"
